"""Descriptions across subgraphs: the most common one wins; disagreement is a hint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gateway.composition.errors import Report


class _HasReport(Protocol):
    report: Report

    def name(self, index: int) -> str: ...


def merge_description(
    context: _HasReport, coordinate: str, sources: Sequence[tuple[int, str | None]]
) -> str | None:
    descriptions: list[str] = []
    counts: list[int] = []
    for _, description in sources:
        if description is None:
            continue
        if description in descriptions:
            counts[descriptions.index(description)] += 1
        else:
            descriptions.append(description)
            counts.append(-(10**9) if description == "" else 1)
    if not descriptions:
        return None
    non_empty = [description for description in descriptions if description != ""]
    if len(descriptions) == 1:
        return descriptions[0]
    if len(non_empty) == 1:
        return non_empty[0]
    chosen = descriptions[counts.index(max(counts))]
    context.report.hint(
        "INCONSISTENT_DESCRIPTION",
        f'Element "{coordinate}" has inconsistent descriptions across subgraphs.',
        [context.name(index) for index, description in sources if description is not None],
        coordinate,
    )
    return chosen
