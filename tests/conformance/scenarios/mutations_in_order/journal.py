"""State shared by the two subgraphs of this scenario, so the order of side effects shows."""

from __future__ import annotations

BALANCES: dict[str, int] = {}
EVENTS: list[str] = []


def reset() -> None:
    BALANCES.clear()
    BALANCES.update({"a1": 100})
    EVENTS.clear()


reset()
