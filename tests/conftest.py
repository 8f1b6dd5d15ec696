"""Fixtures for the web layer: an app on a fresh database, a client, and helpers for forms."""

import re

import pytest
from cryptography.fernet import Fernet
from dnsserver import ZoneServer
from smtpserver import KUNDE_ZONE, Certificates, MailServer
from two_obligations import EXAMPLE_OBLIGATION

from app import create_app
from mitwirkung import store
from mitwirkung.cli import create_manager
from mitwirkung.db import connect

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "test.db"),
            "SECRET_KEY": "test-secret",
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "BASE_URL": "http://mitwirkung.test",
            # the docs' example obligation: loaded, but a customer has it only when given it
            "OBLIGATION_FILES": [str(EXAMPLE_OBLIGATION)],
        }
    )
    yield app
    app.extensions["runner"].shutdown()


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    """A trusted test CA (its file goes to SMTP_CA_FILE) and an untrusted one."""
    return Certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def kunde_dns():
    """The customer's DNS: mail.kunde.test points at the fixture mail servers on loopback."""
    with ZoneServer(KUNDE_ZONE) as server:
        yield server


@pytest.fixture(scope="module")
def kunde_mail(certs):
    """The customer's mail server: STARTTLS with a certificate for mail.kunde.test, AUTH."""
    with MailServer(tls="starttls", context=certs.context("mail.kunde.test"), auth=True) as s:
        yield s


@pytest.fixture(scope="module")
def outbox():
    """The app's own mail server (MAIL_*): a real aiosmtpd on loopback."""
    with MailServer() as server:
        yield server


@pytest.fixture
def mail_app(app, outbox):
    """The app with its MAIL_* settings pointing at the outbox, which starts empty."""
    outbox.handler.messages.clear()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=outbox.port,
        MAIL_ENCRYPTION="none",
        MAIL_FROM="mitwirkung@peiq.example",
    )
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    database = connect(app.config["DATABASE"])
    yield database
    database.close()


class Customers:
    """Create customers and act on their links the way a browser would."""

    def __init__(self, app, client, db):
        self.app, self.client, self.db = app, client, db

    def create(self, name="Müller Verlag", domain="mueller-verlag.de", path=None):
        with self.app.test_request_context():
            customer, edit, share = store.create_customer(self.db, name, domain, None, "test")
        if path:
            store.set_path(self.db, customer["id"], path, "test")
        return customer, edit, share

    def csrf(self, url="/manage/login"):
        """Return a CSRF token from a page the client can see."""
        return CSRF.search(self.client.get(url).get_data(as_text=True)).group(1)

    def post(self, url, data=None, htmx=False, token_from=None):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf(token_from or "/manage/login"))
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(url, data=data, headers=headers)

    def item_state(self, customer_id, item_id, path=None):
        rows = store.item_rows(self.db, customer_id, path)
        return rows[item_id]["state"] if item_id in rows else "open"

    def complete_portal(self, customer_id):
        """PEIQ confirmed the PORTAL: on the portal path only `mail-received` is left."""
        detail = {"portal": "portal.mueller-verlag.de"}
        store.set_item(self.db, customer_id, "portal-adopt", "done", "manager:am@peiq.de", detail)


@pytest.fixture
def customers(app, client, db):
    return Customers(app, client, db)


class Auth:
    def __init__(self, client, customers, db):
        self.client, self.customers, self.db = client, customers, db

    def create(self, email="am@peiq.de", password="richtig-geheim"):
        create_manager(self.db, email, password, "Anna Manager")

    def login(self, email="am@peiq.de", password="richtig-geheim"):
        return self.customers.post("/manage/login", {"email": email, "password": password})


@pytest.fixture
def auth(client, customers, db):
    auth = Auth(client, customers, db)
    auth.create()
    return auth


def pytest_collection_modifyitems(items):
    """Run the browser tests last: Playwright's sync API keeps an event loop running in the
    main thread for the whole session, and asyncio.run() refuses to start beside it."""
    items.sort(key=lambda item: "/e2e/" in str(item.path))
