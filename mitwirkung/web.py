"""Web plumbing shared by the blueprints: CSRF, htmx, security headers, errors, filters."""

import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, render_template, request, url_for
from flask_htmx import HTMX
from flask_wtf.csrf import CSRFError, CSRFProtect

from .checks.domain import display_domain
from .db import get_db
from .live import DNS_OUTCOMES, run_label
from .pagecache import PageCache
from .progress import STATE_LABELS
from .store import EVENT_WORDS, actor_label, link_tokens

csrf = CSRFProtect()
htmx = HTMX()

BERLIN = ZoneInfo("Europe/Berlin")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


def obligation():
    """Return the loaded obligation catalog."""
    return current_app.extensions["obligation"]


def public_url(endpoint: str, **values) -> str:
    """Return an absolute link under BASE_URL (works without a request, e.g. in the CLI)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)


def customer_links(customer: dict) -> tuple[str | None, str | None]:
    """Return the customer's current edit and share links as full URLs."""
    edit, share = link_tokens(customer)
    return (
        public_url("customer.page", token=edit) if edit else None,
        public_url("customer.share_page", token=share) if share else None,
    )


def seconds(milliseconds: int | None) -> str:
    """Format a run's duration for German readers: 640 -> "0,6 s"."""
    if milliseconds is None:
        return "–"
    return f"{milliseconds / 1000:.1f} s".replace(".", ",")


def local_time(value: str | None, fmt: str = "%d.%m.%Y, %H:%M Uhr") -> str:
    """Format a stored UTC ISO time for German readers."""
    if not value:
        return "–"
    try:
        return datetime.fromisoformat(value).astimezone(BERLIN).strftime(fmt)
    except ValueError:
        return value


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # same-origin, not no-referrer: Flask-WTF's CSRF check over HTTPS needs the Referer
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint != "static":  # pages carry links, tokens and customer data
        response.headers.setdefault("Cache-Control", "no-store")
        response.vary.add("HX-Request")
    if current_app.config["BASE_URL"].startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


class _HideLinkTokens(logging.Filter):
    """Keep link tokens and confirmation codes out of access logs."""

    SECRET_PATH = re.compile(r"/(c|s|bestaetigen)/[A-Za-z0-9_-]{20,}")

    def filter(self, record):
        if isinstance(record.msg, str) and record.args:
            record.msg = record.msg % record.args
            record.args = ()
        if isinstance(record.msg, str):
            record.msg = self.SECRET_PATH.sub(r"/\1/…", record.msg)
        return True


_HIDE_LINK_TOKENS = _HideLinkTokens()


def _error(code: int, title: str, text: str):
    return render_template("error.html", code=code, title=title, text=text), code


def init_app(app: Flask) -> None:
    logging.getLogger("werkzeug").addFilter(_HIDE_LINK_TOKENS)
    app.extensions["page_cache"] = PageCache()
    csrf.init_app(app)
    htmx.init_app(app)
    app.after_request(_security_headers)
    app.add_template_filter(local_time)
    app.add_template_filter(seconds)
    app.add_template_filter(display_domain)
    app.add_template_global(obligation)
    app.add_template_global(STATE_LABELS, "STATE_LABELS")
    app.add_template_global(DNS_OUTCOMES, "DNS_OUTCOMES")
    app.add_template_global(run_label)
    app.add_template_global(EVENT_WORDS, "EVENT_WORDS")
    app.add_template_filter(actor_label)

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _error(
            400,
            "Sitzung abgelaufen",
            "Das Formular war zu alt oder unvollständig. Bitte laden Sie die Seite neu "
            "und versuchen Sie es noch einmal.",
        )

    @app.errorhandler(404)
    def not_found(e):
        return _error(
            404,
            "Seite nicht gefunden",
            "Diesen Link gibt es nicht (mehr). Vielleicht wurde er erneuert – bitte fragen "
            "Sie Ihre:n Ansprechpartner:in bei PEIQ nach dem aktuellen Link.",
        )

    @app.errorhandler(405)
    def not_allowed(e):
        return _error(405, "Nicht erlaubt", "Über diesen Link kann nichts geändert werden.")

    @app.errorhandler(500)
    def server_error(e):
        return _error(
            500, "Interner Fehler", "Etwas ist schiefgegangen. Bitte versuchen Sie es erneut."
        )

    @app.get("/healthz")
    def healthz():
        """Answer 200 when the database answers."""
        try:
            get_db().execute("SELECT 1").fetchone()
        except Exception:  # noqa: BLE001 - any database failure means unhealthy
            return {"status": "error"}, 503
        return {"status": "ok"}
