"""A byte-bounded, thread-safe LRU of response bodies, one per server process.

Keys always contain the served layer versions, so a new version simply stops hitting old
entries (which age out). Hits and misses feed the ``/metrics`` cache hit ratio.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class ByteLRU:
    """Least-recently-used cache holding at most ``max_bytes`` of values."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._data: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def size(self) -> int:
        """Bytes held now."""
        return self._size

    def get(self, key: Hashable) -> bytes | None:
        """The value for ``key`` (marking it recently used), or None."""
        if self.max_bytes <= 0:
            return None
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: bytes) -> None:
        """Store ``value``; values larger than an eighth of the budget are not kept."""
        if len(value) > self.max_bytes // 8:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._data[key] = value
            self._size += len(value)
            while self._size > self.max_bytes and self._data:
                _, dropped = self._data.popitem(last=False)
                self._size -= len(dropped)
