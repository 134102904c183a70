"""Loading a supergraph into a `ServingState`: everything a request reads built up front, with
the cycle collector kept out of it (`gateway.collector`)."""

from __future__ import annotations

from gateway.collector import collector_paused
from gateway.server.app import serving_state
from gateway.server.config import GatewayConfig
from gateway.server.pipeline import ServingState


def build_state(sdl: str, config: GatewayConfig) -> ServingState:
    """The serving state of a supergraph SDL, ready for its first request. Blocking work: hot
    reload runs it in a thread (`gateway.server.reload`)."""
    from gateway.supergraph import Supergraph

    with collector_paused():
        return serving_state(Supergraph.from_sdl(sdl), config)
