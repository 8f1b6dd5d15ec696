"""A per-process cache of rendered pages, keyed by the customer's revision.

Every change that a customer's page shows bumps `customers.revision` (store._touch), so a
cached page is valid exactly as long as the revision in the key is the current one; no
invalidation is needed across worker processes. The CSRF token differs per session, so it is
rendered as a placeholder and filled in per request.
"""

import threading
from collections import OrderedDict

CSRF_PLACEHOLDER = "__MITWIRKUNG_CSRF__"


class PageCache:
    def __init__(self, maxsize: int = 512):
        self.maxsize = maxsize
        self._pages: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: str) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.maxsize:
                self._pages.popitem(last=False)

    def render(self, key: tuple, make, csrf_token: str) -> str:
        """Return the cached page for key (made by make(placeholder) on a miss), with the token."""
        page = self.get(key)
        if page is None:
            page = make(lambda: CSRF_PLACEHOLDER)
            self.put(key, page)
        return page.replace(CSRF_PLACEHOLDER, csrf_token)
