"""The typed supergraph model: what every later stage reads instead of directive AST.

Per-graph facts live in mappings keyed by subgraph name (the `join__Graph` value's `name:`).
A field's `graphs` holds one `FieldInGraph` per subgraph that declares it (resolving, external,
or kept only because it was overridden); `resolving_graphs` is the subset that can resolve it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from gateway.supergraph.field_set import FieldSet


@dataclass(frozen=True)
class Graph:
    name: str
    enum_value: str
    url: str


@dataclass(frozen=True)
class Authorization:
    """`@authenticated`, `@requiresScopes(scopes:)`, `@policy(policies:)`: the outer tuple is
    an OR of alternatives, each inner tuple an AND, as the directives define them."""

    authenticated: bool = False
    scopes: tuple[tuple[str, ...], ...] = ()
    policies: tuple[tuple[str, ...], ...] = ()


NO_AUTHORIZATION = Authorization()


@dataclass(frozen=True)
class ListSize:
    assumed_size: int | None = None
    slicing_arguments: tuple[str, ...] = ()
    sized_fields: tuple[str, ...] = ()
    require_one_slicing_argument: bool = True


@dataclass(frozen=True)
class JoinDirective:
    """`@join__directive`: a subgraph directive the supergraph carries for some graphs."""

    graphs: tuple[str, ...]
    name: str
    arguments: Mapping[str, object]


@dataclass(frozen=True)
class Key:
    graph: str
    fields: FieldSet
    resolvable: bool = True


@dataclass(frozen=True)
class TypeInGraph:
    graph: str
    keys: tuple[Key, ...] = ()
    extension: bool = False
    is_interface_object: bool = False


@dataclass(frozen=True)
class FieldInGraph:
    graph: str
    type: str | None = None
    external: bool = False
    requires: FieldSet | None = None
    provides: FieldSet | None = None
    override_from: str | None = None
    override_label: str | None = None
    # Whether `override_label` is on in this view of the supergraph: labels are a per-request
    # input of planning (`Supergraph.with_override_labels`); the parsed model has them all off.
    override_label_enabled: bool = False
    used_overridden: bool = False

    @property
    def resolves(self) -> bool:
        if self.external or self.used_overridden:
            return False
        if self.override_label is None:
            return True
        # Progressive override: the overriding graph resolves the field while the label is
        # on, the graph it overrides (which carries the same label) while it is off.
        return self.override_label_enabled == (self.override_from is not None)


@dataclass(frozen=True)
class Argument:
    name: str
    type: str
    default_value: str | None = None
    inaccessible: bool = False


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    named_type: str
    graphs: Mapping[str, FieldInGraph]
    arguments: Mapping[str, Argument] = field(default_factory=dict)
    inaccessible: bool = False
    authorization: Authorization = NO_AUTHORIZATION
    cost: int | None = None
    list_size: ListSize | None = None
    directives: tuple[JoinDirective, ...] = ()

    @property
    def resolving_graphs(self) -> tuple[str, ...]:
        return tuple(name for name, presence in self.graphs.items() if presence.resolves)


@dataclass(frozen=True)
class CompositeType:
    """An object or interface type."""

    name: str
    kind: Literal["object", "interface"]
    fields: Mapping[str, Field]
    graphs: Mapping[str, TypeInGraph]
    implements: Mapping[str, tuple[str, ...]]
    inaccessible: bool = False
    authorization: Authorization = NO_AUTHORIZATION
    cost: int | None = None
    directives: tuple[JoinDirective, ...] = ()

    def keys_in(self, graph: str) -> tuple[Key, ...]:
        presence = self.graphs.get(graph)
        return presence.keys if presence is not None else ()

    @property
    def is_entity(self) -> bool:
        return any(presence.keys for presence in self.graphs.values())

    def is_interface_object_in(self, graph: str) -> bool:
        presence = self.graphs.get(graph)
        return presence is not None and presence.is_interface_object


@dataclass(frozen=True)
class UnionType:
    name: str
    graphs: Mapping[str, TypeInGraph]
    members: tuple[str, ...]
    members_by_graph: Mapping[str, tuple[str, ...]]
    inaccessible: bool = False
    kind: Literal["union"] = "union"


@dataclass(frozen=True)
class EnumValue:
    name: str
    graphs: tuple[str, ...]
    inaccessible: bool = False


@dataclass(frozen=True)
class EnumType:
    name: str
    graphs: Mapping[str, TypeInGraph]
    values: Mapping[str, EnumValue]
    inaccessible: bool = False
    authorization: Authorization = NO_AUTHORIZATION
    kind: Literal["enum"] = "enum"


@dataclass(frozen=True)
class InputField:
    name: str
    type: str
    graphs: tuple[str, ...]
    default_value: str | None = None
    inaccessible: bool = False


@dataclass(frozen=True)
class InputObjectType:
    name: str
    graphs: Mapping[str, TypeInGraph]
    fields: Mapping[str, InputField]
    inaccessible: bool = False
    kind: Literal["input"] = "input"


@dataclass(frozen=True)
class ScalarType:
    name: str
    graphs: Mapping[str, TypeInGraph]
    inaccessible: bool = False
    authorization: Authorization = NO_AUTHORIZATION
    cost: int | None = None
    kind: Literal["scalar"] = "scalar"


NamedType: TypeAlias = CompositeType | UnionType | EnumType | InputObjectType | ScalarType
