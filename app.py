"""Mitwirkung: the Flask application factory."""

import secrets
import sqlite3
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Flask
from jinja2 import StrictUndefined

from mitwirkung import (
    bulk,
    catalog,
    cli,
    customer,
    db,
    handover,
    inbound_cli,
    inbound_view,
    jobs,
    manage,
    notes,
    obligation_manage,
    obligation_page,
    overview,
    proxy,
    runner,
    settings,
    team,
    web,
)
from mitwirkung.checks import dnsprovider, mailauth
from mitwirkung.crypto import load_or_create_key
from mitwirkung.runs import lifecycle
from mitwirkung.service import Service

ROOT = Path(__file__).resolve().parent


def configured_app(test_config: dict | None = None) -> Flask:
    """The app with its settings and loaded files (obligations, DNS providers, mail
    providers) and nothing else: no database, no threads. gunicorn.conf.py calls it in the
    master before any worker starts. Refuses (SystemExit "Mitwirkung cannot start: …") a
    setting from the environment of the wrong kind (settings.problem), a bad obligation or
    provider file, or no SMTP obligation."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    app.config.from_mapping(
        DATABASE=str(ROOT / "data" / "mitwirkung.db"),
        OBLIGATIONS_DIR=str(ROOT / "data" / "obligations"),
        OBLIGATION_FILES=[],
        DNS_PROVIDERS_FILE=str(ROOT / "data" / "providers" / "dns-providers.toml"),
        MAIL_AUTH_FILE=str(ROOT / "data" / "providers" / "mail-auth.toml"),
        MS_LOGIN_URL="https://login.microsoftonline.com",
        TODAY=None,
        PEIQ_SENDING_ADDRESSES=[],
        BASE_URL="http://127.0.0.1:5000",
        DNS_NAMESERVERS=None,
        DNS_TIMEOUT=5,
        SMTP_TIMEOUT=20,
        SMTP_ALLOWED_PORTS=[25, 465, 587, 2525],
        SMTP_ALLOWED_NETWORKS=[],
        SMTP_CA_FILE=None,
        SMTP_TESTS_PER_CUSTOMER=10,
        SMTP_TESTS_PER_ADDRESS=30,
        DNS_CHECKS_PER_CUSTOMER=30,
        DNS_CHECKS_PER_ADDRESS=60,
        MAX_CONTENT_LENGTH=64 * 1024,  # the largest form (Mailjet values) needs about 30 KB
        SMTP_PROBE_PORTS=[[465, "ssl"], [587, "tls"], [25, "tls"]],
        RUNNER_WORKERS=32,
        SHARE_REFRESH_SECONDS=10,
        PEIQ_POLL_SECONDS=10,
        NOSCRIPT_REFRESH_SECONDS=2,
        SMTP_ANSWER_WAIT=0.5,
        PROXY_COUNT=0,
        SECRET_MAX_AGE_DAYS=14,
        REMINDER_DAYS=[3, 7],
        REMINDERS_PER_HOUR=50,
        MAILJET_API_URL="https://api.mailjet.com",
        MAILJET_API_KEY=None,
        MAILJET_API_SECRET=None,
        MAILJET_TIMEOUT=10,
        MAILJET_SMTP_HOST="in-v3.mailjet.com",
        MAILJET_SMTP_PORT=587,
        INBOUND_DOMAIN="pruef.localhost",
        INBOUND_HOST="127.0.0.1",
        INBOUND_PORT=2526,
        INBOUND_TLS_CERT=None,
        INBOUND_TLS_KEY=None,
        INBOUND_MAX_SIZE=10 * 1024 * 1024,
        INBOUND_KEEP_DAYS=30,
        INBOUND_ADDRESS_DAYS=90,
        INBOUND_CONNECTIONS_PER_ADDRESS=20,
        INBOUND_SESSION_SECONDS=120,
        INBOUND_JUDGE_TIMEOUT=10,
        INBOUND_MAILS_PER_ADDRESS=10,
        INBOUND_MAILS_PER_CUSTOMER=30,
        INBOUND_KEEP_MAILS=5,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=12 * 3600,  # also bounds a manager's browser session
        WTF_CSRF_TIME_LIMIT=None,
    )
    for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_ENCRYPTION", "MAIL_USERNAME", "MAIL_PASSWORD"):
        app.config.setdefault(key, None)
    app.config.setdefault("MAIL_FROM", None)
    defaults = dict(app.config)
    app.config.from_prefixed_env("MITWIRKUNG")
    problem = settings.problem(defaults, app.config)
    if problem:
        raise SystemExit(f"Mitwirkung cannot start: {problem}")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_key(
            app.instance_path, "secret_key", lambda: secrets.token_hex(32)
        )
    if not app.config.get("ENCRYPTION_KEY"):
        app.config["ENCRYPTION_KEY"] = load_or_create_key(
            app.instance_path, "encryption_key", lambda: Fernet.generate_key().decode()
        )
    if app.config["BASE_URL"].startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True

    app.jinja_env.undefined = StrictUndefined
    try:
        obligations = catalog.load_all(
            app.config["OBLIGATIONS_DIR"], app.config["OBLIGATION_FILES"]
        )
        if catalog.SMTP_OBLIGATION not in obligations:
            raise catalog.CatalogError(f"no obligation '{catalog.SMTP_OBLIGATION}' loaded")
        app.extensions["obligations"] = obligations
        app.extensions["obligation"] = obligations.get(catalog.SMTP_OBLIGATION)
        app.extensions["dns_providers"] = dnsprovider.load(app.config["DNS_PROVIDERS_FILE"])
        app.extensions["mail_auth"] = mailauth.load(app.config["MAIL_AUTH_FILE"])
    except (catalog.CatalogError, dnsprovider.ProviderCatalogError, mailauth.MailAuthError) as e:
        raise SystemExit(f"Mitwirkung cannot start: {e}") from e
    return app


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app: defaults, environment, then test overrides.

    A configuration it cannot run with (see `configured_app`) stops it: SystemExit with one
    line "Mitwirkung cannot start: …".
    """
    app = configured_app(test_config)
    proxy.init_app(app)  # behind proxies: trust their X-Forwarded-For/-Proto, or say why not
    try:
        db.init_db(app.config["DATABASE"])
    except (OSError, sqlite3.Error) as e:  # e.g. a folder that cannot be made or written
        raise SystemExit(f"Mitwirkung cannot start: database {app.config['DATABASE']}: {e}") from e
    app.extensions["db_connections"] = db.ThreadConnections(app.config["DATABASE"])
    with app.app_context():
        database = db.get_db()
        lifecycle.reap(database, app.config)  # runs left `running` by a killed process
        handover.purge_expired(database)
        # after an upgrade every customer's dashboard summary is stale: compute them here once
        # rather than in the first dashboard request
        overview.refresh(database, app.extensions["obligations"])
    app.teardown_appcontext(db.close_db)
    web.init_app(app)
    app.extensions["runner"] = runner.Runner(
        app.config["DATABASE"], app.config["RUNNER_WORKERS"], lifecycle.on_abort
    )
    app.extensions["service"] = Service(
        config=app.config,
        connections=app.extensions["db_connections"],
        runner=app.extensions["runner"],
        obligation=app.extensions["obligation"],
        confirm_url=lambda code: web.public_url("customer.confirm", code=code),
    )
    web.csrf.exempt(customer.bp)  # customer links check a per-link token instead
    web.csrf.exempt(obligation_page.bp)  # the same per-link token
    app.register_blueprint(customer.bp)
    app.register_blueprint(obligation_page.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(obligation_manage.bp)
    app.register_blueprint(team.bp)
    app.register_blueprint(bulk.bp)
    app.register_blueprint(notes.bp)
    cli.init_app(app)
    jobs.init_app(app)
    inbound_cli.init_app(app)
    inbound_view.init_app(app)
    return app
