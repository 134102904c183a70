"""One subgraph after parsing: federation directives resolved to meanings, builtins stripped."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from graphql import DirectiveDefinitionNode, DirectiveNode, TypeNode, ValueNode

from gateway.composition.linked_features import LinkedFeature


@dataclass(frozen=True)
class Key:
    fields: str
    resolvable: bool | None  # None: not written (printed only when given)
    on_extension: bool


@dataclass(frozen=True)
class AppliedDirective:
    """A directive composition carries into the supergraph, by its supergraph meaning."""

    feature: str  # "inaccessible", "tag", "authenticated", ..., or a builtin like "deprecated"
    node: DirectiveNode


@dataclass(frozen=True)
class SubgraphArgument:
    name: str
    type: TypeNode
    default: ValueNode | None
    description: str | None
    directives: tuple[AppliedDirective, ...]


@dataclass(frozen=True)
class SubgraphField:
    name: str
    type: TypeNode
    description: str | None
    arguments: tuple[SubgraphArgument, ...]
    directives: tuple[AppliedDirective, ...]
    default: ValueNode | None = None  # input fields only
    external: bool = False
    shareable: bool = False
    requires: str | None = None
    provides: str | None = None
    override: str | None = None
    override_label: str | None = None

    def argument(self, name: str) -> SubgraphArgument | None:
        return next((argument for argument in self.arguments if argument.name == name), None)


@dataclass(frozen=True)
class SubgraphEnumValue:
    name: str
    description: str | None
    directives: tuple[AppliedDirective, ...]


@dataclass(frozen=True)
class SubgraphType:
    kind: str  # "object" | "interface" | "union" | "enum" | "input" | "scalar"
    name: str
    description: str | None
    directives: tuple[AppliedDirective, ...]
    fields: tuple[SubgraphField, ...] = ()
    interfaces: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    values: tuple[SubgraphEnumValue, ...] = ()
    keys: tuple[Key, ...] = ()
    extension_only: bool = False  # declared only through `extend type` (Fed 1 entities)
    extends: bool = False  # @extends
    interface_object: bool = False
    shareable: bool = False  # @shareable on the type

    def field(self, name: str) -> SubgraphField | None:
        return self.fields_by_name.get(name)

    @cached_property
    def fields_by_name(self) -> dict[str, SubgraphField]:
        # Satisfiability asks for fields by name millions of times on a large graph; the
        # first declaration wins, as the list scan it replaces did.
        found: dict[str, SubgraphField] = {}
        for field_ in self.fields:
            found.setdefault(field_.name, field_)
        return found

    @property
    def merged_kind(self) -> str:
        return "interface" if self.interface_object else self.kind


@dataclass(frozen=True)
class Subgraph:
    name: str
    url: str
    federation_version: tuple[int, int] | None  # None for Fed 1 subgraphs
    types: dict[str, SubgraphType]
    root_types: dict[str, str]  # operation → type name (already renamed to the default names)
    features_used: tuple[str, ...]  # composed features, in Apollo's per-subgraph order
    # What `@composeDirective` needs: every linked spec, the raw `name:` of each
    # `@composeDirective` on the schema, the local directive definitions, and which local
    # names are federation directives (local name → federation meaning).
    linked_features: tuple[LinkedFeature, ...] = ()
    compose_requests: tuple[str | None, ...] = ()
    directive_definitions: dict[str, DirectiveDefinitionNode] = field(default_factory=dict)
    federation_meanings: dict[str, str] = field(default_factory=dict)

    @property
    def is_fed2(self) -> bool:
        return self.federation_version is not None

    def type(self, name: str) -> SubgraphType | None:
        return self.types.get(name)
