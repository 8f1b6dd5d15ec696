"""A per-process cache of rendered pages, keyed by the customer's revision, and the WSGI
layer that answers a customer link's page from it.

Every change that a customer's page shows bumps `customers.revision` (store._touch), so a
cached page is valid exactly as long as the revision in the key is the current one; no
invalidation is needed across worker processes. A page is kept as it is given (the customer
page keeps its UTF-8 bytes, so a hit is not encoded again). The cache is bounded by the
memory its pages take (sys.getsizeof of the str or bytes), not by their number: one customer
whose DNS serves 50 KB TXT records makes pages of ~470 KB, and each revision is a new entry.

Some of a page changes with the clock alone, without a new revision (a used-up test budget
frees up, automatic DNS re-checks end, a handed-over password or a Prüfadresse expires, a
date passes): such a page is put with `expires` (page_expiry.changes_at), the earliest time
its content changes, and is not answered from the cache from then on (db.utcnow, so a
`frozen` clock moves it too).
"""

import re
import sqlite3
import sys
import threading
from collections import OrderedDict
from datetime import datetime

from . import store
from .db import now, utcnow
from .headers import page_headers

DEFAULT_BYTES = 32 * 1024 * 1024


class PageCache:
    """Least recently used pages up to max_bytes in all; a page above max_bytes // 8 is
    made every time instead of pushing out many small ones."""

    def __init__(self, max_bytes: int = DEFAULT_BYTES):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._pages: OrderedDict[tuple, str | bytes] = OrderedDict()
        self._expires: dict[tuple, float] = {}  # key: POSIX time its page stops being true
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: tuple) -> str | bytes | None:
        """The page for key, or None (never put, pushed out, or past its expiry)."""
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if key in self._expires and utcnow().timestamp() >= self._expires[key]:
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return page

    def _drop(self, key: tuple) -> None:
        self.bytes -= sys.getsizeof(self._pages.pop(key))
        self._expires.pop(key, None)

    def put(self, key: tuple, page: str | bytes, expires: datetime | None = None) -> None:
        """Keep page under key; with `expires` (aware datetime) only until then."""
        size = sys.getsizeof(page)
        if size > self.max_bytes // 8:
            return
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = page
            if expires is not None:
                self._expires[key] = expires.timestamp()
            self.bytes += size
            while self.bytes > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def get_or_make(self, key: tuple, make, expires=None) -> str | bytes:
        """Return the cached page for key, made by make() on a miss; `expires()` (called on a
        miss, before make) says until when the page is true (None: until the key changes)."""
        page = self.get(key)
        if page is None:
            until = expires() if expires else None
            page = make()
            self.put(key, page, until)
        return page


def page_key(customer_id: int, revision: int, token: str, readonly: bool, htmx: bool) -> tuple:
    """The cache key of a customer link's page (customer.page and CachedPages use it alike).

    The day is part of it: the Prüfadresse shown is renewed a day before it expires
    (inbound.py). `htmx` is the HX-Request header being "true" (the workspace block only).
    """
    return (customer_id, revision, token, readonly, htmx, now()[:10])


# the page routes /c/<token> and /s/<token>, with a token as crypto.new_token() makes them;
# any other spelling is left to Flask's routing
PAGE_PATH = re.compile(r"/([cs])/([A-Za-z0-9_-]{1,200})")


class CachedPages:
    """WSGI layer: answer GET /c/<token> and /s/<token> from the page cache when the page
    for the link's current revision is there; everything else goes to the app.

    A hit costs one indexed lookup of (id, revision) by the token's hash and a dictionary
    lookup, instead of Flask's request machinery. The answer is the one Flask gave for this
    page: the cached bytes customer.page rendered, with the headers Flask's response had
    (Content-Type, Content-Length, and headers.page_headers as web._security_headers adds
    them; a test compares both answers header by header). Requests whose answer Flask would
    shape differently go to Flask: other methods (HEAD too), a Cookie (a manager's session
    is refreshed on every request), X-Forwarded-For (proxy.py warns about it), a
    Transfer-Encoding (web refuses unmeasured bodies), unknown, archived or oddly spelled
    tokens (404, 410, redirects), and every miss, which renders and fills the cache.
    Nothing here writes a log line; gunicorn's access log redacts tokens as before.
    """

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        body = None
        if environ.get("REQUEST_METHOD") == "GET" and not (
            "HTTP_COOKIE" in environ
            or "HTTP_X_FORWARDED_FOR" in environ
            or "HTTP_TRANSFER_ENCODING" in environ
        ):
            body = self.cached(environ)
        if body is None:
            return self.wsgi_app(environ, start_response)
        https = self.app.config["BASE_URL"].startswith("https://")  # as web._security_headers
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            *page_headers(https),
        ]
        start_response("200 OK", headers)
        return [body]

    def cached(self, environ) -> bytes | None:
        """The cached page for this request's link at its current revision, or None."""
        match = PAGE_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None:
            return None
        which, token = match.groups()
        readonly = which == "s"
        try:
            db = self.app.extensions["db_connections"].get()
            found = store.revision_by_token(db, token, "share" if readonly else "edit")
        except sqlite3.Error:
            return None  # Flask answers it, with its error pages
        if found is None:
            return None
        htmx = environ.get("HTTP_HX_REQUEST") == "true"
        page = self.app.extensions["page_cache"].get(page_key(*found, token, readonly, htmx))
        return page if isinstance(page, bytes) else None
