"""Walking a query plan: fetches, in order or in parallel, merged into one response tree.

`PlanRun` holds the tree being built and the errors met on the way. Nothing here raises for a
subgraph's failure: a failed fetch leaves its fields out of the tree and records one error at
the path of each object it was to provide them for; shaping then nulls what is missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from graphql import FieldNode, GraphQLSchema, OperationDefinitionNode, parse

from gateway.execution.client import (
    GraphLike,
    JsonObject,
    SubgraphClient,
    SubgraphFetchError,
    SubgraphRequest,
    SubgraphResponse,
    malformed_response,
)
from gateway.execution.merge import deep_merge
from gateway.execution.paths import ResponsePath, objects_at
from gateway.execution.representations import apply_rewrites, representation
from gateway.planning.nodes import (
    Condition,
    Fetch,
    Flatten,
    Parallel,
    PlanNode,
    Subscription,
)
from gateway.planning.nodes import (
    Sequence as SequenceNode,
)

DOWNSTREAM_SERVICE_ERROR = "DOWNSTREAM_SERVICE_ERROR"


class PlanExecutionError(Exception):
    """Internal: the plan cannot be run (an unknown service, a subscription node)."""


@dataclass(frozen=True)
class FetchedValues:
    """Which service provided the values merged at some paths (read only when a value turns
    out malformed and its error must name the service)."""

    service: str
    paths: Sequence[ResponsePath]
    values: Sequence[Any]


class PlanRun:
    def __init__(
        self,
        schema: GraphQLSchema,
        graphs: Mapping[str, GraphLike],
        client: SubgraphClient,
        variables: Mapping[str, Any],
        headers: Mapping[str, str],
    ) -> None:
        self.schema = schema
        self.graphs = graphs
        self.client = client
        self.variables = variables
        self.headers = headers
        self.data: JsonObject = {}
        self.errors: list[JsonObject] = []
        self.fetched: list[FetchedValues] = []

    async def run(self, node: PlanNode) -> None:
        if isinstance(node, Fetch):
            await self.root_fetch(node)
        elif isinstance(node, Flatten):
            await self.entity_fetch(node.path, node.node)
        elif isinstance(node, SequenceNode):
            for child in node.nodes:
                await self.run(child)
        elif isinstance(node, Parallel):
            await asyncio.gather(*(self.run(child) for child in node.nodes))
        elif isinstance(node, Condition):
            branch = node.if_clause if self.variables.get(node.variable) else node.else_clause
            if branch is not None:
                await self.run(branch)
        elif isinstance(node, Subscription):
            raise PlanExecutionError("subscriptions run in gateway.subscriptions, not execute()")
        else:  # pragma: no cover - PlanNode is a closed union
            raise PlanExecutionError(f"unknown plan node {node!r}")

    async def root_fetch(self, fetch: Fetch) -> None:
        try:
            response = await self.send(fetch, {})
        except SubgraphFetchError as failure:
            for key in root_response_keys(fetch.operation):
                self.errors.append(failure.error([key]))
            return
        for error in response.errors:
            self.errors.append(subgraph_error(error, fetch.service_name, error.get("path")))
        if response.data is not None:
            apply_rewrites(response.data, fetch.output_rewrites)
            deep_merge(self.data, response.data)
            self.fetched.append(FetchedValues(fetch.service_name, [()], [response.data]))

    async def entity_fetch(self, path: Sequence[str], fetch: Fetch) -> None:
        if not fetch.is_entity_fetch:
            raise PlanExecutionError(f"a fetch under Flatten must be an entity fetch: {fetch!r}")
        unique: list[JsonObject] = []
        # For each distinct representation, the objects it stands for: identical
        # representations are sent once and the answer is fanned back out.
        targets: list[list[tuple[ResponsePath, JsonObject]]] = []
        index_by_key: dict[bytes, int] = {}
        for at, value in objects_at(self.data, path):
            represented = representation(self.schema, value, fetch.requires)
            if represented is None:
                continue
            apply_rewrites(represented, fetch.input_rewrites)
            key = orjson.dumps(represented)
            index = index_by_key.get(key)
            if index is None:
                index = index_by_key[key] = len(unique)
                unique.append(represented)
                targets.append([])
            targets[index].append((at, value))
        if not unique:
            return
        try:
            response = await self.send(fetch, {"representations": unique})
            entities = self.entities(fetch.service_name, response, len(unique))
        except SubgraphFetchError as failure:
            for objects in targets:
                for at, _ in objects:
                    self.errors.append(failure.error(list(at)))
            return
        for error in response.errors:
            self.map_entity_error(error, fetch.service_name, targets)
        paths: list[ResponsePath] = []
        values: list[JsonObject] = []
        for index, entity in enumerate(entities):
            if not isinstance(entity, dict):
                continue
            apply_rewrites(entity, fetch.output_rewrites)
            for at, value in targets[index]:
                deep_merge(value, entity)
                paths.append(at)
                values.append(entity)
        self.fetched.append(FetchedValues(fetch.service_name, paths, values))

    def entities(self, service: str, response: SubgraphResponse, expected: int) -> list[Any]:
        if response.data is None:
            return []
        entities = response.data.get("_entities")
        if entities is None and response.errors:
            return []
        if not isinstance(entities, list) or len(entities) != expected:
            raise malformed_response(service, f"expected {expected} _entities")
        return entities

    def map_entity_error(
        self,
        error: JsonObject,
        service: str,
        targets: list[list[tuple[ResponsePath, JsonObject]]],
    ) -> None:
        path = error.get("path")
        if (
            isinstance(path, list)
            and len(path) >= 2
            and path[0] == "_entities"
            and isinstance(path[1], int)
            and 0 <= path[1] < len(targets)
        ):
            for at, _ in targets[path[1]]:
                self.errors.append(subgraph_error(error, service, [*at, *path[2:]]))
        else:
            # No entity to attach it to: reported without a path rather than at a wrong one.
            self.errors.append(subgraph_error(error, service, None))

    async def send(self, fetch: Fetch, extra_variables: JsonObject) -> SubgraphResponse:
        graph = self.graphs.get(fetch.service_name)
        if graph is None:
            raise PlanExecutionError(f"the plan names an unknown service {fetch.service_name!r}")
        variables = {
            name: self.variables[name] for name in fetch.variable_usages if name in self.variables
        }
        variables.update(extra_variables)
        request = SubgraphRequest(
            query=fetch.operation,
            operation_name=fetch.operation_name,
            variables=variables,
            headers=self.headers,
        )
        return await self.client.fetch(graph, request)

    def service_at(self, path: ResponsePath) -> str | None:
        """The service whose fetch put the value at `path` into the tree."""
        for fetched in reversed(self.fetched):
            for base, value in zip(fetched.paths, fetched.values, strict=True):
                if path[: len(base)] == base and _contains(value, path[len(base) :]):
                    return fetched.service
        return None


def _contains(value: Any, path: ResponsePath) -> bool:
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return False
        elif not isinstance(value, dict) or step not in value:
            return False
        value = value[step]
    return True


def subgraph_error(error: JsonObject, service: str, path: Any) -> JsonObject:
    """A subgraph's GraphQL error as the client sees it: re-pathed, coded, its service named.
    Locations are dropped: they point into the subgraph's operation, not the client's."""
    given = error.get("extensions")
    extensions = dict(given) if isinstance(given, dict) else {}
    mapped: JsonObject = {"message": str(error.get("message", "Subgraph error"))}
    if isinstance(path, list):
        mapped["path"] = path
    mapped["extensions"] = {
        "code": extensions.pop("code", None) or DOWNSTREAM_SERVICE_ERROR,
        **extensions,
        "service": service,
    }
    return mapped


@lru_cache(maxsize=4096)
def root_response_keys(operation: str) -> tuple[str, ...]:
    """The response keys of a fetch operation's root fields (where its failure is reported)."""
    document = parse(operation, no_location=True)
    keys: list[str] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode) and selection.name.value != "__typename":
                    key = (selection.alias or selection.name).value
                    if key not in keys:
                        keys.append(key)
    return tuple(keys)
