"""The supergraph stage: parse Apollo supergraph SDL once into an immutable typed model."""

from gateway.supergraph.errors import SupergraphError
from gateway.supergraph.field_set import (
    FieldSelection,
    FieldSet,
    FieldSetSelection,
    FragmentSelection,
)
from gateway.supergraph.model import (
    Authorization,
    CompositeType,
    EnumType,
    Field,
    FieldInGraph,
    Graph,
    InputObjectType,
    Key,
    ScalarType,
    TypeInGraph,
    UnionType,
)
from gateway.supergraph.supergraph import Supergraph

__all__ = [
    "Authorization",
    "CompositeType",
    "EnumType",
    "Field",
    "FieldInGraph",
    "FieldSelection",
    "FieldSet",
    "FieldSetSelection",
    "FragmentSelection",
    "Graph",
    "InputObjectType",
    "Key",
    "ScalarType",
    "Supergraph",
    "SupergraphError",
    "TypeInGraph",
    "UnionType",
]
