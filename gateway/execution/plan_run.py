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
from gateway.execution.redaction import INCLUDE_ALL, SubgraphErrorPolicy
from gateway.execution.representations import (
    apply_rewrites,
    flat_representation,
    representation,
)
from gateway.execution.walks import Walks
from gateway.planning.nodes import (
    BatchFetch,
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
    """Which service provided the values merged into some objects (read only when a value
    turns out malformed and its error must name the service). Each object of `targets[i]`
    received `values[i]` (when it is an object: others were not merged); the targets' paths are
    found again from `flatten_path` when needed."""

    service: str
    flatten_path: Sequence[str] | None  # None for a root fetch: its target is the root
    targets: Sequence[Sequence[JsonObject]]
    values: Sequence[Any]


class PlanRun:
    def __init__(
        self,
        schema: GraphQLSchema,
        graphs: Mapping[str, GraphLike],
        client: SubgraphClient,
        variables: Mapping[str, Any],
        headers: Mapping[str, str],
        subgraph_errors: SubgraphErrorPolicy = INCLUDE_ALL,
    ) -> None:
        self.schema = schema
        self.subgraph_errors = subgraph_errors
        self.graphs = graphs
        self.client = client
        self.variables = variables
        self.headers = headers
        self.data: JsonObject = {}
        # The objects at flatten paths, walked once while the tree under them is unchanged.
        self.walks = Walks(self.data)
        self.errors: list[JsonObject] = []
        self.fetched: list[FetchedValues] = []
        # Objects a subgraph answered null for, with errors: a non-null field of it that the
        # fetch was to provide is absent, and the subgraph's error (at whichever child made it
        # null the object) already explains that; shaping adds no error of its own there.
        self.nulled: set[ResponsePath] = set()

    async def run(self, node: PlanNode) -> None:
        if isinstance(node, Fetch):
            await self.root_fetch(node)
        elif isinstance(node, Flatten):
            await self.entity_fetch(node.path, node.node)
        elif isinstance(node, BatchFetch):
            await self.batch_fetch(node)
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
        self.accept_root(fetch, response)

    def accept_root(self, fetch: Fetch, response: SubgraphResponse) -> None:
        """Merge a root fetch's answer (a subscription's event arrives this way too)."""
        for error in response.errors:
            self.errors.append(
                subgraph_error(error, fetch.service_name, error.get("path"), self.subgraph_errors)
            )
        if response.data is None and response.errors:
            self.nulled.add(())
        if response.data is not None:
            if fetch.output_rewrites:
                apply_rewrites(response.data, fetch.output_rewrites)
            deep_merge(self.data, response.data)
            self.walks.forget()
            self.fetched.append(
                FetchedValues(fetch.service_name, None, [[self.data]], [response.data])
            )

    async def entity_fetch(self, path: Sequence[str], fetch: Fetch) -> None:
        unique, targets = self.representations(path, fetch)
        if not unique:
            return
        try:
            response = await self.send(fetch, {"representations": unique})
            self.absorb(path, fetch, response, targets)
        except SubgraphFetchError as failure:
            self.fail(path, targets, failure)

    async def batch_fetch(self, batch: BatchFetch) -> None:
        """The entity fetches of one step to one subgraph, as one request: each part's
        representations in its own variable, its answer under its own alias, merged and its
        errors re-pathed as if it had been sent alone."""
        prepared = [self.representations(part.path, part.node) for part in batch.parts]
        if not any(unique for unique, _ in prepared):
            return
        variables: JsonObject = {
            name: unique
            for name, (unique, _) in zip(batch.representation_variables, prepared, strict=True)
        }
        try:
            response = await self.send(batch, variables)
        except SubgraphFetchError as failure:
            for part, (_, targets) in zip(batch.parts, prepared, strict=True):
                self.fail(part.path, targets, failure)
            return
        answers, unplaced = split_batch_response(response, batch.aliases)
        for error in unplaced:
            # No part to attach it to: reported once, without a path, rather than at a wrong one.
            self.errors.append(
                subgraph_error(error, batch.service_name, None, self.subgraph_errors)
            )
        for part, (_, targets), answer in zip(batch.parts, prepared, answers, strict=True):
            try:
                self.absorb(part.path, part.node, answer, targets, failed_as_a_whole=bool(unplaced))
            except SubgraphFetchError as failure:
                self.fail(part.path, targets, failure)

    def representations(
        self, path: Sequence[str], fetch: Fetch
    ) -> tuple[list[JsonObject], list[list[JsonObject]]]:
        """The distinct representations of the objects at `path` and, for each, the objects it
        stands for: identical representations are sent once and the answer fanned back out."""
        if not fetch.is_entity_fetch:
            raise PlanExecutionError(f"a fetch under Flatten must be an entity fetch: {fetch!r}")
        flat = None if fetch.input_rewrites else flat_representation(self.schema, fetch.requires)
        if flat is not None:
            # Kept for the other fetches of the plan that group the same objects the same way
            # while none of the keys read changes (`walks.py`).
            return self.walks.grouping(path, flat.signature, flat.response_keys, flat.group)
        unique: list[JsonObject] = []
        targets: list[list[JsonObject]] = []
        self.group(fetch, self.walks.objects(path), unique, targets)
        return unique, targets

    def fail(
        self, path: Sequence[str], targets: list[list[JsonObject]], failure: SubgraphFetchError
    ) -> None:
        """The fetch gave nothing: its error at the path of every object it was for."""
        for paths in self.target_paths(path, targets):
            for at in paths:
                self.errors.append(failure.error(list(at)))

    def absorb(
        self,
        path: Sequence[str],
        fetch: Fetch,
        response: SubgraphResponse,
        targets: list[list[JsonObject]],
        *,
        failed_as_a_whole: bool = False,
    ) -> None:
        """Merge an `_entities` answer into the objects each representation stood for; map its
        errors to their paths. `failed_as_a_whole`: the answer came with an error that names
        no entity (a batch's error outside every part), so any null entity is explained."""
        entities = self.entities(fetch.service_name, response, len(targets), failed_as_a_whole)
        if response.errors or failed_as_a_whole:
            paths_by_target = self.target_paths(path, targets)
            for error in response.errors:
                self.map_entity_error(error, fetch.service_name, paths_by_target)
            nulled = (
                [index for index, entity in enumerate(entities) if entity is None]
                if failed_as_a_whole and entities
                else nulled_entities(response.errors, entities, len(targets))
            )
            for index in nulled:
                self.nulled.update(paths_by_target[index])
        output_rewrites = fetch.output_rewrites
        for entity, objects in zip(entities, targets, strict=False):
            if not isinstance(entity, dict):
                continue
            if output_rewrites:
                apply_rewrites(entity, output_rewrites)
            for value in objects:
                deep_merge(value, entity)
        self.walks.wrote(path, entities)
        self.fetched.append(FetchedValues(fetch.service_name, path, targets, entities))

    def group(
        self,
        fetch: Fetch,
        objects: list[JsonObject],
        unique: list[JsonObject],
        targets: list[list[JsonObject]],
    ) -> None:
        """Group `objects` by representation: `unique[i]` stands for the objects in
        `targets[i]`."""
        index_by_key: dict[bytes, int] = {}
        for value in objects:
            represented = representation(self.schema, value, fetch.requires)
            if represented is None:
                continue
            if fetch.input_rewrites:
                apply_rewrites(represented, fetch.input_rewrites)
            key = orjson.dumps(represented)
            index = index_by_key.get(key)
            if index is None:
                index_by_key[key] = len(unique)
                unique.append(represented)
                targets.append([value])
            else:
                targets[index].append(value)

    def paths_of(self, path: Sequence[str]) -> dict[int, list[ResponsePath]]:
        """The response paths of the objects at a flatten path, by object identity, in walk
        order. One object can sit at several paths: entities merged into several objects
        share their nested values."""
        paths: dict[int, list[ResponsePath]] = {}
        for at, value in objects_at(self.data, path):
            paths.setdefault(id(value), []).append(at)
        return paths

    def target_paths(
        self, path: Sequence[str], targets: list[list[JsonObject]]
    ) -> list[list[ResponsePath]]:
        """For each group of `targets` (found by walking `path`), the paths of its objects.
        The walk visits objects in the same order as when the targets were gathered, so the
        n-th time an object appears it gets its n-th path."""
        paths = self.paths_of(path)
        used: dict[int, int] = {}
        grouped: list[list[ResponsePath]] = []
        for objects in targets:
            group: list[ResponsePath] = []
            for value in objects:
                occurrence = used.get(id(value), 0)
                used[id(value)] = occurrence + 1
                found = paths.get(id(value))
                if found:
                    # The tree only grows while fetches run, so the walk finds every target;
                    # should it not, the last path known for the object is the best answer.
                    group.append(found[min(occurrence, len(found) - 1)])
            grouped.append(group)
        return grouped

    def entities(
        self,
        service: str,
        response: SubgraphResponse,
        expected: int,
        failed_as_a_whole: bool = False,
    ) -> list[Any]:
        entities = None if response.data is None else response.data.get("_entities")
        if entities is None and (response.errors or failed_as_a_whole):
            return []  # the fetch failed as a whole; its errors say why
        if not isinstance(entities, list) or len(entities) != expected:
            raise malformed_response(service, f"expected {expected} _entities")
        return entities

    def map_entity_error(
        self,
        error: JsonObject,
        service: str,
        paths_by_target: list[list[ResponsePath]],
    ) -> None:
        path = error.get("path")
        if (
            isinstance(path, list)
            and len(path) >= 2
            and path[0] == "_entities"
            # `type is int`: JSON `true` decodes to a bool, which Python counts as 1.
            and type(path[1]) is int
            and 0 <= path[1] < len(paths_by_target)
        ):
            for at in paths_by_target[path[1]]:
                self.errors.append(
                    subgraph_error(error, service, [*at, *path[2:]], self.subgraph_errors)
                )
        else:
            # No entity to attach it to: reported without a path rather than at a wrong one.
            self.errors.append(subgraph_error(error, service, None, self.subgraph_errors))

    async def send(
        self, fetch: Fetch | BatchFetch, extra_variables: JsonObject
    ) -> SubgraphResponse:
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
            idempotent=fetch.operation_kind != "mutation",
        )
        return await self.client.fetch(graph, request)

    def nulled_by_subgraph(self, path: ResponsePath) -> bool:
        """Whether the value at `path` is absent because a subgraph nulled its parent object
        over an error of its own (reported already, at the child that caused it)."""
        parent = path[:-1]
        if not path or parent not in self.nulled:
            return False
        value: Any = self.data
        for step in parent:
            if isinstance(step, int):
                value = value[step] if isinstance(value, list) and step < len(value) else None
            else:
                value = value.get(step) if isinstance(value, dict) else None
        return isinstance(value, dict) and path[-1] not in value

    def service_at(self, path: ResponsePath) -> str | None:
        """The service whose fetch put the value at `path` into the tree."""
        for fetched in reversed(self.fetched):
            if fetched.flatten_path is None:
                bases: dict[int, list[ResponsePath]] = {id(self.data): [()]}
            else:
                bases = self.paths_of(fetched.flatten_path)
            for targets, value in zip(fetched.targets, fetched.values, strict=False):
                if not isinstance(value, dict):
                    continue
                for target in targets:
                    for base in bases.get(id(target), ()):
                        if path[: len(base)] == base and _contains(value, path[len(base) :]):
                            return fetched.service
        return None


def split_batch_response(
    response: SubgraphResponse, aliases: Sequence[str]
) -> tuple[list[SubgraphResponse], list[JsonObject]]:
    """A batch's answer as the answers its parts would have had alone: each alias's list as
    `_entities`, each error whose path starts at an alias re-pathed under `_entities`. The
    errors that start at no alias are returned apart."""
    position = {alias: index for index, alias in enumerate(aliases)}
    errors: list[list[JsonObject]] = [[] for _ in aliases]
    unplaced: list[JsonObject] = []
    for error in response.errors:
        path = error.get("path")
        index = position.get(path[0]) if isinstance(path, list) and path else None
        if index is None:
            unplaced.append(error)
        else:
            assert isinstance(path, list)
            errors[index].append({**error, "path": ["_entities", *path[1:]]})
    data = response.data
    answers = [
        SubgraphResponse(
            data=None if data is None else {"_entities": data.get(alias)}, errors=errors[index]
        )
        for index, alias in enumerate(aliases)
    ]
    return answers, unplaced


def nulled_entities(errors: Sequence[JsonObject], entities: list[Any], sent: int) -> list[int]:
    """The representations whose entity a subgraph answered null because of an error: all of
    them when it answered no `_entities` list; else each null entity an error points into
    (or every null one, when an error points nowhere in particular)."""
    if not entities:
        return list(range(sent))
    pointed: set[int] = set()
    for error in errors:
        path = error.get("path")
        if not (isinstance(path, list) and len(path) >= 2 and path[0] == "_entities"):
            return [index for index, entity in enumerate(entities) if entity is None]
        if isinstance(path[1], int):
            pointed.add(path[1])
    return [index for index, entity in enumerate(entities) if entity is None and index in pointed]


def _contains(value: Any, path: ResponsePath) -> bool:
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return False
        elif not isinstance(value, dict) or step not in value:
            return False
        value = value[step]
    return True


def subgraph_error(
    error: JsonObject, service: str, path: Any, policy: SubgraphErrorPolicy = INCLUDE_ALL
) -> JsonObject:
    """A subgraph's GraphQL error as the client sees it: re-pathed, coded, its service named,
    redacted unless `policy` includes the service's errors (`redaction.py`). Locations are
    dropped: they point into the subgraph's operation, not the client's."""
    given = error.get("extensions")
    message, extensions = policy.redact(
        error.get("message", "Subgraph error"), given if isinstance(given, dict) else {}, service
    )
    mapped: JsonObject = {"message": str(message)}
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
