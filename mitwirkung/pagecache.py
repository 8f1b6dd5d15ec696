"""A per-process cache of rendered pages, keyed by the customer's revision.

Every change that a customer's page shows bumps `customers.revision` (store._touch), so a
cached page is valid exactly as long as the revision in the key is the current one; no
invalidation is needed across worker processes.
"""

import threading
from collections import OrderedDict


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

    def get_or_make(self, key: tuple, make) -> str:
        """Return the cached page for key, made by make() on a miss."""
        page = self.get(key)
        if page is None:
            page = make()
            self.put(key, page)
        return page
