"""Browser fixtures: the app served on loopback by a real HTTP server, driven by Chromium."""

import threading
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from app import create_app

ARTIFACTS = Path(__file__).parent.parent / "artifacts"
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
