"""graphql-core's own executor over a benchmark subgraph definition: the reference answers."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema, GraphQLUnionType, graphql_sync

from bench.subgraphs.definition import (
    FieldResolver,
    SubgraphDefinition,
    build_federation_schema,
    field_resolver,
)


def _wrap(resolver: FieldResolver) -> Any:
    return lambda parent, _info, **arguments: resolver(parent, arguments)


def reference_schema(definition: SubgraphDefinition) -> GraphQLSchema:
    schema = build_federation_schema(definition)
    for type_name, named_type in schema.type_map.items():
        if isinstance(named_type, GraphQLObjectType) and not type_name.startswith("__"):
            for field_name, field in named_type.fields.items():
                resolver = field_resolver(definition, type_name, field_name)
                if resolver is not None:
                    field.resolve = _wrap(resolver)
    entity = schema.type_map.get("_Entity")
    if isinstance(entity, GraphQLUnionType):
        entity.resolve_type = lambda value, _info, _type: value["__typename"]
    return schema


def reference_execute(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None = None,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    result = graphql_sync(
        schema, query, root_value={}, variable_values=variables, operation_name=operation_name
    )
    assert not result.errors, result.errors
    return {"data": result.data}
