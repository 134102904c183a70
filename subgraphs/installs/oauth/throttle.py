"""Slowing down guessing: client secrets at the token endpoints, passwords at sign-in.

A key (a client id, an email, an address) that failed `limit` times within `window` seconds is
refused until its oldest failure leaves the window. Memory is bounded: at most `max_keys` keys
are tracked, the least recently failed forgotten first. The count is per process; replicas each
keep their own, which multiplies the allowance by the number of replicas but never lifts it.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable


class Throttle:
    def __init__(
        self,
        limit: int,
        window: float,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, key: str) -> float | None:
        """Seconds until `key` may try again, or None when it may now."""
        failures = self._failures.get(key)
        if failures is None or len(failures) < self.limit:
            return None
        wait = failures[0] + self.window - self._clock()
        return wait if wait > 0 else None

    def failed(self, key: str) -> None:
        failures = self._failures.pop(key, None) or deque(maxlen=self.limit)
        failures.append(self._clock())
        self._failures[key] = failures
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
