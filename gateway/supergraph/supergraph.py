"""`Supergraph`: the parsed, immutable supergraph every later stage reads."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field, replace
from functools import cached_property
from threading import Lock
from types import MappingProxyType

from graphql import (
    DocumentNode,
    GraphQLSchema,
    GraphQLSyntaxError,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    parse,
)

from gateway.supergraph.api_schema import build_api_schema
from gateway.supergraph.build import ModelBuilder
from gateway.supergraph.directives import DirectiveNames
from gateway.supergraph.errors import SupergraphError
from gateway.supergraph.fed1_fields import complete_fed1_fields
from gateway.supergraph.fed1_membership import Fed1Membership
from gateway.supergraph.links import Link, join_link, read_links
from gateway.supergraph.model import CompositeType, Field, Graph, NamedType, UnionType
from gateway.supergraph.override_labels import labels_in, with_labels

# Views kept per supergraph, one per set of enabled progressive-override labels; a supergraph
# with many rolled labels could otherwise keep 2^n of them.
LABEL_VIEWS_KEPT = 64


@dataclass(frozen=True, eq=False)
class Supergraph:
    sdl: str
    graphs: Mapping[str, Graph]
    types: Mapping[str, NamedType]
    root_types: Mapping[str, str]
    join_version: tuple[int, int]
    links: Mapping[str, Link] = field(repr=False)
    document: DocumentNode = field(repr=False)
    # The progressive-override labels that are on in this view (`with_override_labels`).
    enabled_override_labels: frozenset[str] = frozenset()
    _label_views: dict[frozenset[str], Supergraph] = field(
        init=False, repr=False, default_factory=dict
    )
    _label_views_lock: Lock = field(init=False, repr=False, default_factory=Lock)

    @classmethod
    def from_sdl(cls, sdl: str) -> Supergraph:
        try:
            document = parse(sdl, no_location=True)
        except GraphQLSyntaxError as error:
            raise SupergraphError(f"the supergraph SDL does not parse: {error.message}") from None
        schema_nodes = [
            definition
            for definition in document.definitions
            if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode)
        ]
        links = read_links(schema_nodes)
        join = join_link(links)
        root_types = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
        declared_roots: dict[str, str] = {}
        for node in schema_nodes:
            for operation_type in node.operation_types or ():
                declared_roots[operation_type.operation.value] = operation_type.type.name.value
        if declared_roots:
            root_types = declared_roots
        names = DirectiveNames(links, join)
        builder = ModelBuilder(document, names)
        fed1 = join.version == (0, 1)
        if fed1:
            builder.fed1 = Fed1Membership(
                builder.definitions,
                names,
                builder.graph_name,
                list(builder.graphs),
                root_types.values(),
            )
        owned = [
            name
            for name in builder.definitions
            if any(link.owns_type(name) for link in links.values())
        ]
        types = builder.types(skip=owned)
        if fed1:
            types = complete_fed1_fields(types, list(builder.graphs), root_types.get("query", ""))
        root_types = {kind: name for kind, name in root_types.items() if name in types}
        if "query" not in root_types:
            raise SupergraphError("the supergraph has no query root type")
        return cls(
            sdl=sdl,
            graphs=MappingProxyType(builder.graphs),
            types=MappingProxyType(types),
            root_types=MappingProxyType(root_types),
            join_version=join.version,
            links=MappingProxyType(links),
            document=document,
        )

    @cached_property
    def api_schema(self) -> GraphQLSchema:
        return build_api_schema(self.document, self.links)

    # progressive override ----------------------------------------------------------------

    @cached_property
    def override_labels(self) -> frozenset[str]:
        """Every `@override(label:)` the supergraph uses, `percent(N)` and custom."""
        return labels_in(self.types)

    def with_override_labels(self, enabled: Set[str]) -> Supergraph:
        """This supergraph with exactly the `enabled` labels on (labels it does not use are
        ignored): what the planner plans over. Views are kept, so asking again is cheap."""
        if not self.override_labels:
            return self
        on = frozenset(enabled) & self.override_labels
        if on == self.enabled_override_labels:
            return self
        with self._label_views_lock:
            view = self._label_views.get(on)
        if view is not None:
            return view
        view = replace(self, types=with_labels(self.types, on), enabled_override_labels=on)
        if "api_schema" in self.__dict__:
            # The API schema does not depend on labels; share it rather than rebuild it.
            view.__dict__["api_schema"] = self.__dict__["api_schema"]
        with self._label_views_lock:
            self._label_views[on] = view
            while len(self._label_views) > LABEL_VIEWS_KEPT:
                del self._label_views[next(iter(self._label_views))]
        return view

    # lookups the planner uses -------------------------------------------------------------

    def composite(self, name: str) -> CompositeType:
        found = self.types.get(name)
        if not isinstance(found, CompositeType):
            raise KeyError(f"{name} is not an object or interface type")
        return found

    def field(self, type_name: str, field_name: str) -> Field:
        return self.composite(type_name).fields[field_name]

    def is_abstract(self, name: str) -> bool:
        found = self.types.get(name)
        return isinstance(found, UnionType) or (
            isinstance(found, CompositeType) and found.kind == "interface"
        )

    def is_composite(self, name: str) -> bool:
        return isinstance(self.types.get(name), CompositeType | UnionType)

    @cached_property
    def _implementations(self) -> Mapping[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for named in self.types.values():
            if isinstance(named, CompositeType) and named.kind == "object":
                interfaces = {name for names in named.implements.values() for name in names}
                for interface in interfaces:
                    found.setdefault(interface, []).append(named.name)
        return {name: tuple(objects) for name, objects in found.items()}

    def possible_types(self, name: str, graph: str | None = None) -> tuple[str, ...]:
        """Object types an abstract (or object) type can be at runtime; with `graph`, only
        those that graph knows as members or implementations."""
        found = self.types.get(name)
        if isinstance(found, UnionType):
            if graph is None:
                return found.members
            return found.members_by_graph.get(graph, ())
        if isinstance(found, CompositeType) and found.kind == "interface":
            objects = self._implementations.get(name, ())
            if graph is None:
                return objects
            return tuple(
                object_name
                for object_name in objects
                if name in self.composite(object_name).implements.get(graph, ())
            )
        return (name,)
