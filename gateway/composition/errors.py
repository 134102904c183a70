"""Composition's results: coded errors and hints as values, never exceptions for bad input.

CompositionIssue          (shared shape: code, message, subgraphs, coordinate)
├── CompositionError      composition failed because of it
└── CompositionHint       legal but suspicious
SubgraphInvalid           internal exception carrying errors out of a subgraph's parsing;
                          `compose()` turns it into a `CompositionFailure`
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SubgraphDefinition:
    name: str
    url: str
    sdl: str


@dataclass(frozen=True)
class CompositionIssue:
    code: str
    message: str
    subgraphs: tuple[str, ...] = ()
    coordinate: str | None = None

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class CompositionError(CompositionIssue):
    pass


@dataclass(frozen=True)
class CompositionHint(CompositionIssue):
    pass


@dataclass(frozen=True)
class CompositionSuccess:
    supergraph_sdl: str
    hints: tuple[CompositionHint, ...] = ()


@dataclass(frozen=True)
class CompositionFailure:
    errors: tuple[CompositionError, ...]
    hints: tuple[CompositionHint, ...] = ()


CompositionResult = CompositionSuccess | CompositionFailure


class SubgraphInvalid(Exception):
    """Raised inside one subgraph's parsing when going on would make no sense."""

    def __init__(self, errors: Sequence[CompositionError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = tuple(errors)


@dataclass
class Report:
    """Collects errors and hints while composing (mutable on purpose: one per run)."""

    errors: list[CompositionError] = field(default_factory=list)
    hints: list[CompositionHint] = field(default_factory=list)

    def error(
        self, code: str, message: str, subgraphs: Sequence[str] = (), coordinate: str | None = None
    ) -> None:
        self.errors.append(CompositionError(code, message, tuple(subgraphs), coordinate))

    def hint(
        self, code: str, message: str, subgraphs: Sequence[str] = (), coordinate: str | None = None
    ) -> None:
        self.hints.append(CompositionHint(code, message, tuple(subgraphs), coordinate))


def subgraph_list(names: Sequence[str]) -> str:
    """Apollo's wording: `subgraph "a"`, `subgraphs "a" and "b"`, `subgraphs "a", "b" and "c"`."""
    quoted = [f'"{name}"' for name in names]
    if len(quoted) == 1:
        return f"subgraph {quoted[0]}"
    return "subgraphs " + ", ".join(quoted[:-1]) + " and " + quoted[-1]
