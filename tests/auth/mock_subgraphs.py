"""Subgraphs that answer any fetch with made-up values of the right types, read from the API
schema: one item per list, the first value of an enum, the first member of an abstract type.
Every request is recorded, so a test can see what reached a subgraph and with which headers.
The scope matrix needs data for every field of the supergraph without seeding any."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)

SCALARS: dict[str, Any] = {"Int": 1, "Float": 1.5, "String": "text", "Boolean": True, "ID": "id-1"}


@dataclass
class MockSubgraphs:
    schema: GraphQLSchema
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = orjson.loads(request.content)
        document = parse(body["query"])
        operation = next(
            node for node in document.definitions if isinstance(node, OperationDefinitionNode)
        )
        root = self.schema.get_root_type(operation.operation)
        assert root is not None
        data: dict[str, Any] = {}
        for selection in operation.selection_set.selections:
            assert isinstance(selection, FieldNode)
            key = (selection.alias or selection.name).value
            if selection.name.value == "_entities":
                representations = body.get("variables", {}).get("representations", [])
                data[key] = [
                    self._object(self._named(item["__typename"]), selection.selection_set)
                    for item in representations
                ]
            else:
                data[key] = self._field(root, selection)
        return httpx.Response(200, json={"data": data})

    def queries(self) -> list[str]:
        return [orjson.loads(request.content)["query"] for request in self.requests]

    def _named(self, name: str) -> GraphQLObjectType:
        found = self.schema.get_type(name)
        assert isinstance(found, GraphQLObjectType), name
        return found

    def _field(self, parent: GraphQLObjectType | GraphQLInterfaceType, node: FieldNode) -> Any:
        name = node.name.value
        if name == "__typename":
            return parent.name
        definition = parent.fields.get(name)
        if definition is None:  # a key or @requires field the API schema hides
            return "hidden"
        return self._value(definition.type, node.selection_set)

    def _value(self, kind: GraphQLOutputType, selection_set: SelectionSetNode | None) -> Any:
        if isinstance(kind, GraphQLNonNull):
            return self._value(kind.of_type, selection_set)
        if isinstance(kind, GraphQLList):
            return [self._value(kind.of_type, selection_set)]
        if isinstance(kind, GraphQLEnumType):
            return next(iter(kind.values))
        if isinstance(kind, GraphQLScalarType):
            return SCALARS.get(kind.name, "2026-12-01T00:00:00Z")
        if isinstance(kind, GraphQLInterfaceType | GraphQLUnionType):
            kind = self.schema.get_possible_types(kind)[0]
        assert isinstance(kind, GraphQLObjectType)
        assert selection_set is not None
        return self._object(kind, selection_set)

    def _object(self, kind: GraphQLObjectType, selection_set: SelectionSetNode | None) -> Any:
        result: dict[str, Any] = {}
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                result[(selection.alias or selection.name).value] = self._field(kind, selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if (
                    condition is None
                    or condition.name.value == kind.name
                    or any(interface.name == condition.name.value for interface in kind.interfaces)
                    or self._member(condition.name.value, kind)
                ):
                    result.update(self._object(kind, selection.selection_set))
        return result

    def _member(self, name: str, kind: GraphQLObjectType) -> bool:
        abstract = self.schema.get_type(name)
        return isinstance(abstract, GraphQLUnionType) and kind in abstract.types
