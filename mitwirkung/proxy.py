"""Behind a reverse proxy: trust its X-Forwarded-For/-Proto (PROXY_COUNT), and say so when
proxy headers arrive that the app does not trust (every client would share one address)."""

import logging

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

UNTRUSTED = (
    "Requests carry X-Forwarded-For, but PROXY_COUNT is 0: every client appears as %s, so "
    "the per-address limits (manager logins, SMTP and DNS checks) are shared by everyone. "
    "Set MITWIRKUNG_PROXY_COUNT to the number of reverse proxies in front of gunicorn."
)
HTTPS_WITHOUT_PROXY = (
    "BASE_URL is https:// but PROXY_COUNT is 0: behind a TLS-terminating proxy set "
    "MITWIRKUNG_PROXY_COUNT=1, or every client shares the proxy's address."
)


def init_app(app: Flask) -> None:
    """Apply ProxyFix for PROXY_COUNT proxies; otherwise warn once per process (at start
    when BASE_URL is https://, at the first request that carries X-Forwarded-For)."""
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
        return
    if str(app.config.get("BASE_URL", "")).startswith("https://") and not app.testing:
        log.warning(HTTPS_WITHOUT_PROXY)
    warned = []

    @app.before_request
    def untrusted_proxy_headers():
        if not warned and "X-Forwarded-For" in request.headers:
            warned.append(True)
            log.warning(UNTRUSTED, request.remote_addr)
