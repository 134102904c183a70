"""What a benchmark subgraph is: its federation SDL and plain functions over in-memory records.

Both executors read the same definition: the fast compiled one that serves the benchmark
(`executor.py`) and graphql-core's, which the tests use as the reference for correct answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLSchema, build_ast_schema, parse

Record = dict[str, Any]
# (parent record, coerced arguments) -> value; records are dicts tagged with "__typename".
FieldResolver = Callable[[Record, dict[str, Any]], Any]
# representation -> record, or None when this subgraph does not know the entity.
EntityResolver = Callable[[Record], Record | None]

# Declarations the subgraph SDL relies on, so graphql-core can build an executable schema from
# it. They are not part of `_service { sdl }`: composition brings its own.
_FEDERATION_PRELUDE = """
scalar _Any
scalar FieldSet
scalar link__Import
directive @link(url: String!, import: [link__Import]) repeatable on SCHEMA
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @external on OBJECT | FIELD_DEFINITION
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
type _Service { sdl: String }
"""


@dataclass(frozen=True)
class SubgraphDefinition:
    name: str
    sdl: str
    # type name -> field name -> resolver; fields not listed read the record's key of that name.
    resolvers: Mapping[str, Mapping[str, FieldResolver]]
    # entity type name -> how a representation becomes a record.
    entities: Mapping[str, EntityResolver]
    schema: GraphQLSchema = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schema", build_federation_schema(self))

    def resolve_entities(self, representations: list[Record]) -> list[Record | None]:
        resolved: list[Record | None] = []
        for representation in representations:
            resolver = self.entities.get(representation.get("__typename", ""))
            resolved.append(resolver(representation) if resolver else None)
        return resolved


def build_federation_schema(definition: SubgraphDefinition) -> GraphQLSchema:
    """The subgraph's schema as its federation library would build it: SDL + `_entities`."""
    if not definition.entities:  # not a federation subgraph (the expected-answer monolith)
        return build_ast_schema(parse(definition.sdl))
    entity_union = " | ".join(sorted(definition.entities))
    # A subgraph with no root field of its own (inventory) still answers `_entities`.
    query_keyword = "extend type" if "type Query" in definition.sdl else "type"
    federation_roots = f"""
union _Entity = {entity_union}
{query_keyword} Query {{
  _entities(representations: [_Any!]!): [_Entity]!
  _service: _Service!
}}
"""
    document = parse(_FEDERATION_PRELUDE + definition.sdl + federation_roots)
    return build_ast_schema(document, assume_valid_sdl=True)


def service(definition: SubgraphDefinition) -> Record:
    return {"__typename": "_Service", "sdl": definition.sdl}


def field_resolver(
    definition: SubgraphDefinition, type_name: str, field_name: str
) -> FieldResolver | None:
    """The resolver of one field, None where the record's own key answers it."""
    if type_name == "Query" and field_name == "_entities":
        return lambda _parent, arguments: definition.resolve_entities(arguments["representations"])
    if type_name == "Query" and field_name == "_service":
        return lambda _parent, _arguments: service(definition)
    return definition.resolvers.get(type_name, {}).get(field_name)
