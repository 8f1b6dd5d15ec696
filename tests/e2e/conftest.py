"""Browser fixtures: the app served on loopback by a real HTTP server, driven by Chromium."""

import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from dnsserver import ZoneServer
from e2e.journey import ARTIFACTS, PARTLY, Journey
from helpers.managers import create_test_manager
from playwright.sync_api import sync_playwright
from smtpserver import KUNDE_ZONE
from werkzeug.serving import make_server

from app import create_app
from mitwirkung.db import connect

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        app.config["BASE_URL"] = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)


@contextmanager
def served(folder: Path, config: dict):
    """Serve a fresh app (database in `folder`, `config` on top) on loopback, with the manager
    am@peiq.de / richtig-geheim (Anna Manager); yield the LiveServer, shut the runner down."""
    app = create_app(
        {
            "DATABASE": str(folder / "e2e.db"),
            "SECRET_KEY": "e2e-secret",
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            **config,
        }
    )
    db = connect(app.config["DATABASE"])
    create_test_manager(db, "am@peiq.de", "richtig-geheim", "Anna Manager")
    db.close()
    with LiveServer(app) as live:
        yield live
    app.extensions["runner"].shutdown()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    """Each test that asks for it runs at a desktop (1280×800) and a phone (390×844) size."""
    return request.param


@pytest.fixture
def live_app(tmp_path, request):
    extra = getattr(request, "param", {}) or {}
    app = create_app(
        {
            "DATABASE": str(tmp_path / "e2e.db"),
            "SECRET_KEY": "e2e-secret",
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "SHARE_REFRESH_SECONDS": 1,
            "PEIQ_POLL_SECONDS": 1,
            **extra,
        }
    )
    with LiveServer(app) as server:
        yield server
    app.extensions["runner"].shutdown()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="de-DE", viewport={"width": 1100, "height": 900})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # 422 is the answer to a form with mistakes; htmx swaps it in like any page.
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "422" not in m.text else None,
    )
    yield page
    assert not errors, f"browser errors: {errors}"


@pytest.fixture
def screenshot():
    """Return a function that saves a full-page screenshot under tests/artifacts/."""

    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# --- the customer journey: one app server per module, pages at both viewports -----------------


@pytest.fixture(scope="module")
def journey_zones():
    """The customer DNS of the journey (kunde.test and the Mailjet test domains); a module
    that needs other zones defines its own `journey_zones`."""
    with ZoneServer(KUNDE_ZONE + PARTLY) as server:
        yield server


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory, journey_zones, certs, kunde_mail):
    """One app server for the whole module, resolving through `journey_zones`."""
    config = {
        "SHARE_REFRESH_SECONDS": 1,
        "DNS_NAMESERVERS": [journey_zones.nameserver],
        "DNS_TIMEOUT": 3,
        "SMTP_ALLOWED_NETWORKS": ["127.0.0.0/8"],
        "SMTP_ALLOWED_PORTS": [25, 465, 587, kunde_mail.port],
        "SMTP_CA_FILE": certs.ca_file,
        "SMTP_TIMEOUT": 5,
        "SMTP_PROBE_PORTS": [[kunde_mail.port, "ssl"], [kunde_mail.port, "tls"]],
        "SMTP_TESTS_PER_ADDRESS": 1000,
        "PEIQ_POLL_SECONDS": 1,
    }
    with served(tmp_path_factory.mktemp("journey"), config) as live:
        yield live


@pytest.fixture
def journey_context(browser, viewport):
    # bypass_csp only lets the test inject axe-core; the app's own pages never need it
    context = browser.new_context(locale="de-DE", viewport=VIEWPORTS[viewport], bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def allow_errors():
    """Patterns of browser console errors a test provokes on purpose."""
    return []


@pytest.fixture
def journey_page(journey_context, allow_errors):
    """A page whose browser errors (other than a 422 and `allow_errors`) fail the test."""
    page = journey_context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    allowed = [r"\b422\b", *allow_errors]
    unexpected = [e for e in errors if not any(re.search(a, e) for a in allowed)]
    assert not unexpected, f"browser errors: {unexpected}"


@pytest.fixture
def journey(journey_server, journey_page, viewport):
    """A `Journey` on the module's app server, at each viewport."""
    j = Journey(journey_server, journey_page, viewport)
    yield j
    j.db.close()
