"""Keeping Python's cycle collector out of bulk loads (a supergraph, a composition).

Parsing a supergraph of a few thousand types, or composing one, allocates about a million
objects that all stay alive until the work is done. With the collector running, every few
hundred allocations trigger a collection, and the older generations' collections traverse
everything built so far: a large load took ~1.9x as long with it (docs/benchmarks.md, scale).
The collector has nothing to find meanwhile; reference counting still frees what dies.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off for the block, then as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
