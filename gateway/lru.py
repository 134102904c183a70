"""`ByteBoundedLru`: a least-recently-used cache bounded by the bytes its entries hold.

Both the operation cache and the plan cache are this, each with its own budget: a cache that
counts entries lets a handful of large operations pin gigabytes. The size of an entry is given
by the caller when it is stored (`gateway.footprint`); an entry larger than the whole budget is
not stored at all. Safe to use from several threads (plans are built off the event loop).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from threading import Lock
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class ByteBoundedLru(Generic[Key, Value]):
    def __init__(self, max_bytes: int, max_entries: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.bytes = 0
        # Lookups that found an entry or not, read by the telemetry stage
        # (`switchboard_cache_lookups`); plain ints cost nothing on the request path.
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Key, tuple[Value, int]] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key) -> Value | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
            self._entries.move_to_end(key)
            return entry[0]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def put(self, key: Key, value: Value, size: int) -> None:
        if size > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self.bytes -= previous[1]
            self._entries[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes or (
                self.max_entries is not None and len(self._entries) > self.max_entries
            ):
                _, (_, evicted) = self._entries.popitem(last=False)
                self.bytes -= evicted
