"""Fixtures shared by the test modules: an app on a fresh database, a client, customers and
logins, the real servers on loopback (SMTP, DNS, outbox, inbound receiver), jobs "as of" a
time. Plain helper functions live in tests/helpers/."""

import logging
import shutil

import pytest
from cryptography.fernet import Fernet
from dnsserver import ZoneServer
from helpers.inbound import SIGNED_ZONE
from helpers.managers import create_test_manager
from helpers.web import CSRF
from inboundserver import InboundServer
from smtpserver import KUNDE_ZONE, Certificates, MailServer
from two_obligations import EXAMPLE_OBLIGATION

from app import create_app
from mitwirkung import jobs, store
from mitwirkung.db import connect, init_db


@pytest.fixture(scope="session")
def schema(tmp_path_factory):
    """A database file with every migration applied, made once per test session."""
    path = tmp_path_factory.mktemp("schema") / "schema.db"
    init_db(str(path))  # its last connection closes: the WAL is checkpointed into the file
    return path


@pytest.fixture
def app(tmp_path, schema):
    """The app on a fresh database: a copy of `schema` (init_db finds nothing pending)."""
    shutil.copyfile(schema, tmp_path / "test.db")
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
def smtp_app(app, certs, kunde_dns, kunde_mail):
    """The app testing SMTP against kunde_mail (and port 587) via kunde_dns, loopback allowed."""
    app.config.update(
        DNS_NAMESERVERS=[kunde_dns.nameserver],
        SMTP_ALLOWED_NETWORKS=["127.0.0.0/8"],
        SMTP_ALLOWED_PORTS=[kunde_mail.port, 587],
        SMTP_CA_FILE=certs.ca_file,
        SMTP_TIMEOUT=5,
    )
    return app


@pytest.fixture(scope="module")
def dns():
    """The DNS the receiver judges by (SIGNED_ZONE: kunde.test with SPF, DMARC and DKIM);
    modules that need other zones define their own `dns`."""
    with ZoneServer(SIGNED_ZONE) as server:
        yield server


@pytest.fixture
def inbound_app(app, dns, tmp_path):
    """The app receiving at pruef.peiq.test, resolving through the module's `dns` fixture."""
    app.config.update(INBOUND_DOMAIN="pruef.peiq.test", DNS_NAMESERVERS=[f"127.0.0.1:{dns.port}"])
    app.instance_path = str(tmp_path / "instance")
    return app


@pytest.fixture
def receiver(inbound_app):
    """The Empfangsprüfung's SMTP receiver (STARTTLS) on loopback; `.port`."""
    with InboundServer(inbound_app) as server:
        yield server


@pytest.fixture
def logs(caplog):
    """Every log record from DEBUG up (for asserting that no secret is logged)."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def run(mail_app, db):
    """Run the due jobs as of a time: `run(at)` returns what was done (`jobs.run_due`)."""

    def run(at):
        with mail_app.app_context():
            return jobs.run_due(db, mail_app.config, at=at)

    return run


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
        create_test_manager(self.db, email, password, "Anna Manager")

    def login(self, email="am@peiq.de", password="richtig-geheim"):
        return self.customers.post("/manage/login", {"email": email, "password": password})


@pytest.fixture
def auth(client, customers, db):
    auth = Auth(client, customers, db)
    auth.create()
    return auth


@pytest.fixture
def anna(auth, db):
    """The account manager am@peiq.de (Anna Manager), who creates the customers."""
    return next(db.query("SELECT * FROM managers WHERE email = 'am@peiq.de'"))


@pytest.fixture
def team(auth, db):
    """Anna (am@peiq.de) and Bert (bert@peiq.de), two account managers."""
    create_test_manager(db, "bert@peiq.de", "auch-richtig-geheim", "Bert Berater")


def pytest_collection_modifyitems(items):
    """Run the browser tests last: Playwright's sync API keeps an event loop running in the
    main thread for the whole session, and asyncio.run() refuses to start beside it."""
    items.sort(key=lambda item: "/e2e/" in str(item.path))
