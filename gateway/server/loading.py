"""Loading a supergraph into a `ServingState`: once, everything built up front, the cycle
collector kept out of it.

A supergraph of a few thousand types parses into about a million objects. With the collector
running, every few hundred allocations trigger a collection, and the older generations'
collections traverse everything loaded so far: the load of a large supergraph took ~1.9x as
long with it (docs/benchmarks.md, scale). Nothing a load builds is garbage until the state is
replaced, so the collector has nothing to find meanwhile.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from gateway.server.app import serving_state
from gateway.server.config import GatewayConfig
from gateway.server.pipeline import ServingState


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off for the block (reference counting still frees memory)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_state(sdl: str, config: GatewayConfig) -> ServingState:
    """The serving state of a supergraph SDL, ready for its first request. Blocking work: hot
    reload runs it in a thread (`gateway.server.reload`)."""
    from gateway.supergraph import Supergraph

    with collector_paused():
        return serving_state(Supergraph.from_sdl(sdl), config)
