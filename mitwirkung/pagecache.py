"""A per-process cache of rendered pages, keyed by the customer's revision.

Every change that a customer's page shows bumps `customers.revision` (store._touch), so a
cached page is valid exactly as long as the revision in the key is the current one; no
invalidation is needed across worker processes. The cache is bounded by the memory its
pages take (sys.getsizeof of the str), not by their number: one customer whose DNS serves
50 KB TXT records makes pages of ~470 KB, and each revision is a new entry.
"""

import sys
import threading
from collections import OrderedDict

DEFAULT_BYTES = 32 * 1024 * 1024


class PageCache:
    """Least recently used pages up to max_bytes in all; a page above max_bytes // 8 is
    made every time instead of pushing out many small ones."""

    def __init__(self, max_bytes: int = DEFAULT_BYTES):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._pages: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: tuple) -> str | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: str) -> None:
        size = sys.getsizeof(page)
        if size > self.max_bytes // 8:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.bytes -= sys.getsizeof(old)
            self._pages[key] = page
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, evicted = self._pages.popitem(last=False)
                self.bytes -= sys.getsizeof(evicted)

    def get_or_make(self, key: tuple, make) -> str:
        """Return the cached page for key, made by make() on a miss."""
        page = self.get(key)
        if page is None:
            page = make()
            self.put(key, page)
        return page
