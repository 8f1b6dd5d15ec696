"""Web plumbing shared by the blueprints: CSRF, htmx, security headers, errors, filters."""

import sqlite3
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_htmx import HTMX
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.routing import IntegerConverter, ValidationError

from . import logs
from .checks.diagnose import german_date, operator_request
from .checks.domain import display_domain
from .checks.smtp import shown_address
from .dates import local_time
from .db import get_db, write_problem
from .handover import HANDOVER_WORDS, handover_words
from .headers import HSTS, PAGE_HEADERS, SECURITY_HEADERS, VARY
from .mailjet_sync import MAILJET_WORDS, note_words, status_word
from .notify import mailto
from .pagecache import CachedPages, PageCache
from .progress import STATE_LABELS
from .runs.base import DNS_OUTCOMES, run_label
from .runs.dns_check import DKIM_WAITING, DKIM_WAITING_ONLOOKER
from .runs.smtp_test import TRIAL_RULE
from .service import obligation, obligations
from .store import EVENT_WORDS, actor_label, link_tokens
from .words import web as words
from .words.secret import cap, secret_words
from .words.web import ENCRYPTION_WORDS

csrf = CSRFProtect()
htmx = HTMX()


def public_url(endpoint: str, **values) -> str:
    """Return an absolute link under BASE_URL, whatever the current request said.

    Built from BASE_URL alone (never from Host, SCRIPT_NAME or X-Forwarded-* headers, which a
    client can set), so links in mails and on pages point where PEIQ serves the app.
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


class BaseUrlPath:
    """WSGI middleware: the app is mounted at BASE_URL's path, whatever the server was told.

    gunicorn takes SCRIPT_NAME from a request header of peers it trusts (loopback, where the
    proxy runs), and every URL Flask builds for a page (scripts, styles, hx-get, forms)
    starts with it: one request could make the page cache serve pages pointing elsewhere.
    Here SCRIPT_NAME is always BASE_URL's path and the rest of the requested path is routed
    as it is, so a request under another prefix finds no route (404).
    """

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self._base: tuple[str, str] = ("", "")  # (BASE_URL, its path) as last read

    def __call__(self, environ, start_response):
        base = self.app.config["BASE_URL"]
        if base != self._base[0]:  # read again whenever the setting changes (tests do)
            self._base = (base, urlsplit(base).path.rstrip("/"))
        prefix = self._base[1]
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            path = path[len(prefix) :]
        environ["SCRIPT_NAME"], environ["PATH_INFO"] = prefix, path
        return self.wsgi_app(environ, start_response)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session whose signing serializer is built once per key set.

    Flask builds a new serializer (and runs a trial dump through it) for every request,
    also for the many requests that never touch the session (every customer link). The
    keys are part of the cache key, so a changed SECRET_KEY or fallback list takes effect
    at the next request, as before.
    """

    def __init__(self):
        self._serializers: dict[tuple, object] = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None and app.secret_key:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer


class RowId(IntegerConverter):
    """An integer path segment that fits a SQLite row id (at most 2^63-1); else no route."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        if len(value) > 19:  # int() of 4,300+ digits raises ValueError; no row id is that long
            raise ValidationError()
        return super().to_python(value)


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


def decimal(value: float | None, places: int = 1) -> str:
    """Format a number for German readers, decimal comma: 0.43 -> "0,4" (places digits)."""
    if value is None:
        return "–"
    return f"{value:.{places}f}".replace(".", ",")


def field_named(field) -> str:
    """Name a form field in a list of fields to check: its label; a checkbox as "das Häkchen
    „…“" (its label is a sentence), never with its own full stop before the list's."""
    label = str(field.label.text).strip().rstrip(".")
    return words.CHECKBOX.format(label=label) if field.type == "BooleanField" else label


def encryption(value: str | None) -> str:
    """An encryption choice as people read it: "SSL", "TLS (STARTTLS)", "unverschlüsselt"."""
    return ENCRYPTION_WORDS.get((value or "").lower(), "–")


def _security_headers(response):
    """Add the security headers a view did not set itself (each name once, never replaced).

    Equivalent to one `headers.setdefault` per header, but reads the present names once:
    this runs for every response, and Werkzeug's Headers search their list on each call.
    """
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    wanted = SECURITY_HEADERS
    if request.endpoint != "static":
        wanted += PAGE_HEADERS
        if "vary" in present:
            response.vary.add(VARY)
        else:
            headers.add("Vary", VARY)
    if current_app.config["BASE_URL"].startswith("https://"):
        wanted += (HSTS,)
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
    return response


def _error(code: int, title: str, text: str):
    # csrf_token: an error page has no form, and calling Flask-WTF's would set a session cookie
    page = render_template("error.html", code=code, title=title, text=text, csrf_token=str)
    return page, code


DISK_ERRORS = ("SQLITE_READONLY", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN")


def _refuse_unmeasured_body():
    """Answer 411 to a body sent without Content-Length (chunked).

    Werkzeug cuts such a body off at MAX_CONTENT_LENGTH instead of refusing it, so a form
    would be judged on a silently truncated half. Browsers always send the length.
    """
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower() and (
        request.content_length is None
    ):
        return _error(411, *words.ERRORS[411])
    return None


def init_app(app: Flask) -> None:
    logs.install(app.logger)
    app.wsgi_app = BaseUrlPath(app, CachedPages(app, app.wsgi_app))
    app.session_interface = SessionInterface()
    app.url_map.converters["int"] = RowId
    app.extensions["page_cache"] = PageCache()
    app.before_request(_refuse_unmeasured_body)  # before CSRF reads the form
    csrf.init_app(app)
    htmx.init_app(app)
    app.after_request(_security_headers)
    app.add_template_filter(local_time)
    app.add_template_filter(encryption)
    app.add_template_filter(seconds)
    app.add_template_filter(decimal)
    app.add_template_global(field_named)
    app.add_template_filter(display_domain)
    app.add_template_global(obligation)
    app.add_template_global(obligations)
    app.add_template_global(STATE_LABELS, "STATE_LABELS")
    app.add_template_global(DNS_OUTCOMES, "DNS_OUTCOMES")
    app.add_template_global(run_label)
    app.add_template_global(TRIAL_RULE, "TRIAL_RULE")
    app.add_template_global(HANDOVER_WORDS, "HANDOVER_WORDS")
    app.add_template_global(handover_words, "handover_words")
    app.add_template_global(secret_words, "secret_words")
    app.add_template_filter(cap, "cap_first")
    app.add_template_filter(german_date, "german_date")
    app.add_template_global(operator_request, "operator_request")
    app.add_template_global(mailto, "mailto")
    app.add_template_global(DKIM_WAITING, "DKIM_WAITING")
    app.add_template_global(DKIM_WAITING_ONLOOKER, "DKIM_WAITING_ONLOOKER")
    app.add_template_filter(shown_address, "address")
    app.add_template_global(EVENT_WORDS, "EVENT_WORDS")
    app.add_template_global(MAILJET_WORDS, "MAILJET_WORDS")
    app.add_template_filter(status_word, "mailjet_word")
    app.add_template_global(note_words, "mailjet_note")
    app.add_template_filter(actor_label)

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _error(400, *words.ERRORS[400])

    @app.errorhandler(404)
    def not_found(e):
        return _error(404, *words.ERRORS[404])

    @app.errorhandler(405)
    def not_allowed(e):
        return _error(405, *words.ERRORS[405])

    @app.errorhandler(413)
    def too_large(e):
        limit = app.config["MAX_CONTENT_LENGTH"]
        size = words.SIZE_LIMIT.format(kb=limit // 1024) if limit else words.SIZE_UNKNOWN
        title, text = words.ERRORS[413]
        return _error(413, title, text.format(size=size))

    @app.errorhandler(sqlite3.Error)
    def database_error(e):
        if not (getattr(e, "sqlite_errorname", "") or "").startswith(DISK_ERRORS):
            raise e  # a bug, not the disk: logged and answered by the 500 handler
        app.logger.error("Database write failed: %s", e)
        return _error(503, *words.ERRORS[503])

    @app.errorhandler(500)
    def server_error(e):
        return _error(500, *words.ERRORS[500])

    @app.get("/healthz")
    def healthz():
        """Answer 200 when the database answers and takes writes, else 503 with the reason."""
        problem = write_problem(app.config["DATABASE"])
        try:
            get_db().execute("SELECT 1").fetchone()
        except sqlite3.Error as e:
            problem = problem or words.DB_NOT_ANSWERING.format(error=e)
        if problem:
            return {"status": "error", "reason": problem}, 503
        return {"status": "ok"}
