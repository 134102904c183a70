"""Composition: subgraph SDLs → a supergraph SDL in Apollo's format (errors as values)."""

from gateway.composition.compose import compose
from gateway.composition.errors import (
    CompositionError,
    CompositionFailure,
    CompositionHint,
    CompositionResult,
    CompositionSuccess,
    SubgraphDefinition,
)

__all__ = [
    "CompositionError",
    "CompositionFailure",
    "CompositionHint",
    "CompositionResult",
    "CompositionSuccess",
    "SubgraphDefinition",
    "compose",
]
