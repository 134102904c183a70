"""People's passwords: argon2id hashes (argon2-cffi), verified off the event loop.

The cost is OWASP's argon2id minimum (19 MiB, two passes, one lane). Hashing is deliberately
slow, so it runs in a worker thread, and at most `CONCURRENT_HASHES` run at once, which bounds
the memory a burst of sign-ins can take. An unknown email is checked against a dummy hash, so
its answer takes as long as a wrong password's and does not reveal which emails exist.
"""

from __future__ import annotations

import asyncio
import threading
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

CONCURRENT_HASHES = 2
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_slots = threading.BoundedSemaphore(CONCURRENT_HASHES)


def hash_password(password: str) -> str:
    with _slots:
        return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return hash_password("not anyone's password")


def _verify(stored_hash: str | None, password: str) -> bool:
    with _slots:
        try:
            return _hasher.verify(stored_hash or _dummy_hash(), password) and bool(stored_hash)
        except (VerificationError, InvalidHashError):
            return False


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; None (no such person) is always False, as slowly."""
    if stored_hash is None:
        _dummy_hash()  # computed outside the slot it would otherwise wait for
    return await asyncio.to_thread(_verify, stored_hash, password)
