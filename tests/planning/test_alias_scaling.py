"""Planning work grows linearly with the number of aliased fields.

Measured as work, not time: the Python function calls planning makes (`sys.setprofile`), for
an operation and for the same operation with twice the aliases. A membership test with deep
AST equality, or a scan of every fetch group per field, shows up as a quadratic call count.
"""

from __future__ import annotations

import sys
from functools import cache
from types import FrameType
from typing import Any

import pytest

from gateway.dev import SUPERGRAPH
from gateway.operation import prepare
from gateway.planning import plan
from gateway.supergraph import Supergraph

# Twice the fields may cost a little more than twice the calls (a longer fetch operation to
# print); a quadratic step costs four times.
GROWTH_BOUND = 2.3


@cache
def platform() -> Supergraph:
    return Supergraph.from_sdl(SUPERGRAPH.read_text())


def planning_calls(query: str) -> int:
    supergraph = platform()
    operation = prepare(query, None, supergraph.api_schema)
    calls = 0

    def count(_frame: FrameType, event: str, _argument: Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        plan(supergraph, operation)
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize(
    "field",
    [
        # One subgraph answers every alias.
        "categories { slug }",
        # Every alias is its own entity fetch (apps → installs).
        'app(id: "app-1") { name installCount }',
    ],
)
def test_planning_calls_grow_linearly_with_aliases(field: str) -> None:
    def aliased(count: int) -> str:
        return "{ " + " ".join(f"a{index}: {field}" for index in range(count)) + " }"

    small, large = planning_calls(aliased(100)), planning_calls(aliased(200))
    assert large <= GROWTH_BOUND * small, (small, large)
