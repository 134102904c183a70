"""`switchboard serve` with one process: the supergraph is loaded once, ready for requests."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from gateway.cli import main
from gateway.server import runner
from gateway.supergraph import Supergraph
from tests.waiting import free_port

FEDERATED_SUPERGRAPH = Path(__file__).parent / "federated" / "supergraph.graphql"


def test_serve_loads_the_supergraph_once_with_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loads: list[bool] = []
    original = Supergraph.from_sdl

    def counting(cls: type[Supergraph], sdl: str) -> Supergraph:
        loads.append(gc.isenabled())
        return original(sdl)

    served: list[Any] = []
    monkeypatch.setattr(Supergraph, "from_sdl", classmethod(counting))
    monkeypatch.setattr(runner, "run_server", lambda app, **_: served.append(app) or True)
    # Freezing the collector is for the server process, not the test session.
    monkeypatch.setattr(runner, "tune_garbage_collection", lambda: None)

    arguments = ["serve", "--supergraph", str(FEDERATED_SUPERGRAPH), "--port", str(free_port())]
    assert main(arguments) == 0

    assert loads == [False]  # once, and without the cycle collector running
    assert gc.isenabled()
    (app,) = served
    supergraph = app.state.pipeline.supergraph
    assert supergraph.sdl == FEDERATED_SUPERGRAPH.read_text()
    assert "api_schema" in vars(supergraph)  # built at load, not by the first request
