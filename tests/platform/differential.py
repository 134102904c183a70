"""Differential testing on the platform graph: generated operations, and an oracle to answer them.

`OperationGenerator` draws operations from the API schema with a seeded `random.Random`: root
fields, nested selections down to a few levels (crossing subgraphs through entity fields),
aliases (some equal to names the planner adds: `id`, `slug`, `__typename`), `__typename`, inline
fragments, `@include`/`@skip` with literal conditions, and argument values drawn from the seeded
demo world (ids, slugs, small page sizes, enum values).

`Oracle` answers the same operation without the gateway, from the owning subgraphs asked
directly, by rules simple enough to check by hand:

1. a root field is answered by the one subgraph that resolves it, with every sub-selection that
   subgraph resolves itself;
2. a field of an entity (a type with an `id` key) that the answering subgraph does not resolve is
   asked of its owner through `_entities` with `{__typename, id}`, plus the `@requires` fields,
   themselves asked of their owners first; its sub-selections then follow rule 1 from there;
3. `@skip`/`@include` with literal conditions drop or keep a selection; inline fragments on the
   parent's own type merge into it.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLArgument, GraphQLNonNull, Undefined, get_named_type, is_composite_type

from gateway.supergraph import CompositeType, FieldSelection, Supergraph

ORACLE_ID = "oracleKey"  # the generator never uses it as an alias
# Aliases a client might pick that equal fields the planner adds (keys, requires, typename).
COLLIDING_ALIASES = ("id", "slug", "__typename")
# Fields left out: usage time series, which aggregate the whole seeded history (seconds per
# call on this machine, and no planning feature they alone exercise), and raw usage records.
SKIPPED_FIELDS = frozenset(
    {"Query.platformUsage", "App.usage", "Installation.usage", "Query.usageRecords"}
)


@dataclass
class Selection:
    """A field (or, with `fragment_on`, an inline fragment on the parent's type)."""

    name: str = ""
    alias: str | None = None
    arguments: dict[str, str] = field(default_factory=dict)
    children: list[Selection] = field(default_factory=list)
    include: bool | None = None  # None: no directive; else the literal the directive yields
    directive: str = ""
    fragment_on: str | None = None

    @property
    def key(self) -> str:
        return self.alias or self.name


def render(selections: list[Selection]) -> str:
    parts: list[str] = []
    for selection in selections:
        if selection.fragment_on is not None:
            parts.append(f"... on {selection.fragment_on} {selection.directive} {{ ")
            parts.append(render(selection.children) + " }")
            continue
        text = f"{selection.alias}: " if selection.alias else ""
        text += selection.name
        if selection.arguments:
            text += "(" + ", ".join(f"{k}: {v}" for k, v in selection.arguments.items()) + ")"
        if selection.directive:
            text += " " + selection.directive
        if selection.children:
            text += " { " + render(selection.children) + " }"
        parts.append(text)
    return " ".join(parts)


def effective(selections: list[Selection]) -> Iterator[Selection]:
    """The fields a selection set asks for once literal directives and fragments are applied."""
    for selection in selections:
        if selection.include is False:
            continue
        if selection.fragment_on is not None:
            yield from effective(selection.children)
        else:
            yield selection


@dataclass(frozen=True)
class Pools:
    """Argument values from the seeded data."""

    ids: dict[str, list[str]]  # by returned type: App, Workspace, Installation, ...
    slugs: dict[str, list[str]]  # by returned type: App, Workspace, Category


class OperationGenerator:
    def __init__(self, supergraph: Supergraph, pools: Pools, seed: int) -> None:
        self.supergraph = supergraph
        self.schema = supergraph.api_schema
        self.pools = pools
        self.random = random.Random(seed)

    def operation(self) -> list[Selection]:
        return self.selection_set("Query", depth=0)

    def selection_set(self, type_name: str, depth: int) -> list[Selection]:
        composite = self.supergraph.types[type_name]
        assert isinstance(composite, CompositeType)
        candidates = [
            name
            for name in self.schema.get_type(type_name).fields  # type: ignore[union-attr]
            if f"{type_name}.{name}" not in SKIPPED_FIELDS
        ]
        chosen: list[Selection] = []
        keys: set[str] = set()
        count = self.random.randint(1, 3 if depth else 2)
        for name in self.random.sample(candidates, min(count, len(candidates))):
            selection = self.field(type_name, name, depth)
            if selection is None or selection.key in keys:
                continue
            keys.add(selection.key)
            chosen.append(selection)
        if depth and self.random.random() < 0.3 and "__typename" not in keys:
            chosen.append(Selection(name="__typename"))
        if not chosen:
            # Every object type of the platform has `id` except value types: take a scalar.
            scalar = next(
                name
                for name, definition in self.schema.get_type(type_name).fields.items()  # type: ignore[union-attr]
                if not definition.args and not _composite(definition.type)
            )
            chosen.append(Selection(name=scalar))
        if depth and self.random.random() < 0.15:
            inner, chosen = chosen[:1], chosen[1:]
            include = self.random.choice([True, False])
            chosen.append(
                Selection(
                    fragment_on=type_name,
                    children=inner,
                    include=include,
                    directive=f"@include(if: {str(include).lower()})",
                )
            )
        return chosen

    def field(self, type_name: str, name: str, depth: int) -> Selection | None:
        definition = self.schema.get_type(type_name).fields[name]  # type: ignore[union-attr]
        arguments: dict[str, str] = {}
        for argument_name, argument in definition.args.items():
            value = self.argument(type_name, name, argument_name, argument)
            if value is None:
                if _required(argument):
                    return None
                continue
            arguments[argument_name] = value
        selection = Selection(name=name, arguments=arguments)
        if _composite(definition.type):
            if depth >= 3:
                return None
            named = _named(definition.type)
            selection.children = self.selection_set(named, depth + 1)
        roll = self.random.random()
        if roll < 0.2:
            selection.alias = self.random.choice(COLLIDING_ALIASES)
        elif roll < 0.35:
            selection.alias = f"{name}{self.random.randint(1, 9)}"
        if self.random.random() < 0.08:
            include = self.random.choice([True, False])
            selection.include = include
            selection.directive = (
                f"@include(if: {str(include).lower()})"
                if self.random.random() < 0.5
                else f"@skip(if: {str(not include).lower()})"
            )
        return selection

    def argument(
        self, type_name: str, field_name: str, name: str, argument: GraphQLArgument
    ) -> str | None:
        named = _named(argument.type)
        returned = _named(self.schema.get_type(type_name).fields[field_name].type)  # type: ignore[union-attr]
        if name in ("first", "limit"):
            return str(self.random.randint(1, 3))
        if name == "id" and returned in self.pools.ids:
            return _string(self.random.choice(self.pools.ids[returned]))
        if name == "appId":
            return _string(self.random.choice(self.pools.ids["App"]))
        if name == "slug" and returned in self.pools.slugs:
            return _string(self.random.choice(self.pools.slugs[returned]))
        enum = self.schema.get_type(named)
        values = getattr(enum, "values", None)
        if values and (_required(argument) or self.random.random() < 0.3):
            return str(self.random.choice(sorted(values)))
        return None


def _required(argument: GraphQLArgument) -> bool:
    return isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined


def _named(type_: Any) -> str:
    return str(get_named_type(type_).name)


def _composite(type_: Any) -> bool:
    return is_composite_type(get_named_type(type_))


def _string(value: str) -> str:
    return '"' + value + '"'


Ask = Callable[[str, str, dict[str, Any]], Awaitable[dict[str, Any]]]


class Oracle:
    """Answers generated operations from the owning subgraphs (rules in the module docstring).
    `ask(service, query, variables)` returns a subgraph's whole response body."""

    def __init__(self, supergraph: Supergraph, ask: Ask) -> None:
        self.supergraph = supergraph
        self.ask = ask

    async def answer(self, selections: list[Selection]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for selection in effective(selections):
            owner = self.owner("Query", selection.name)
            query = "{ " + self.owned(self.reduced(selection), "Query", owner) + " }"
            body = await self.query(owner, query, {})
            value = body[selection.key]
            named = self.field("Query", selection.name).named_type
            if selection.children and value is not None:
                await self.complete(_objects(value), named, selection.children, owner)
            data[selection.key] = value
        _strip(data)
        return data

    async def complete(
        self, objects: list[dict[str, Any]], type_name: str, selections: list[Selection], by: str
    ) -> None:
        """Fill in `objects` (as `by` answered them) with the fields `by` does not resolve."""
        if not objects:
            return
        for selection in effective(selections):
            if selection.name == "__typename":
                continue
            definition = self.field(type_name, selection.name)
            if by in definition.resolving_graphs:
                if selection.children:
                    nested = [
                        item
                        for value in objects
                        if value.get(selection.key) is not None
                        for item in _objects(value[selection.key])
                    ]
                    await self.complete(nested, definition.named_type, selection.children, by)
                continue
            owner = self.owner(type_name, selection.name)
            representations = [
                {"__typename": type_name, "id": value[ORACLE_ID]} for value in objects
            ]
            presence = definition.graphs[owner]
            if presence.requires is not None:
                required = [
                    Selection(name=item.name)
                    for item in presence.requires.selections
                    if isinstance(item, FieldSelection)
                ]
                values = await self.entities(type_name, representations, required)
                for representation, value in zip(representations, values, strict=True):
                    representation.update({item.name: value[item.name] for item in required})
            entities = await self.entities(type_name, representations, [selection], owner)
            for value, entity in zip(objects, entities, strict=True):
                value[selection.key] = None if entity is None else entity[selection.key]

    async def entities(
        self,
        type_name: str,
        representations: list[dict[str, Any]],
        selections: list[Selection],
        owner: str | None = None,
    ) -> list[dict[str, Any]]:
        """The entities `owner` (else each field's owner, one field at a time) answers."""
        if owner is None:
            answers = [dict[str, Any]() for _ in representations]
            for selection in selections:
                found = await self.entities(
                    type_name, representations, [selection], self.owner(type_name, selection.name)
                )
                for answer, entity in zip(answers, found, strict=True):
                    answer.update(entity or {})
            return answers
        query = (
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on "
            f"{type_name} {{ {self.owned_list(selections, type_name, owner)} }} }} }}"
        )
        entities: list[dict[str, Any]] = (await self.query(owner, query, {"r": representations}))[
            "_entities"
        ]
        for selection in effective(selections):
            definition = self.field(type_name, selection.name)
            if selection.children:
                nested = [
                    item
                    for entity in entities
                    if entity is not None and entity.get(selection.key) is not None
                    for item in _objects(entity[selection.key])
                ]
                await self.complete(nested, definition.named_type, selection.children, owner)
        return entities

    # queries to one subgraph ---------------------------------------------------------------

    def owned(self, selection: Selection, type_name: str, service: str) -> str:
        """`selection` as `service` can answer it: its own fields, plus the id of any entity
        whose other fields must be asked elsewhere."""
        text = f"{selection.alias}: " if selection.alias else ""
        text += selection.name
        if selection.arguments:
            text += "(" + ", ".join(f"{k}: {v}" for k, v in selection.arguments.items()) + ")"
        if selection.children:
            named = self.field(type_name, selection.name).named_type
            text += " { " + self.owned_list(selection.children, named, service) + " }"
        return text

    def owned_list(self, selections: list[Selection], type_name: str, service: str) -> str:
        parts = [ORACLE_ID + ": id"] if self.is_entity(type_name) else []
        for selection in effective(selections):
            if selection.name == "__typename":
                parts.append(f"{selection.key}: __typename")
            elif service in self.field(type_name, selection.name).resolving_graphs:
                parts.append(self.owned(self.reduced(selection), type_name, service))
        return " ".join(parts)

    async def query(self, service: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = await self.ask(service, query, variables)
        assert not body.get("errors"), (service, query, body["errors"])
        data: dict[str, Any] = body["data"]
        return data

    # the supergraph ------------------------------------------------------------------------

    @staticmethod
    def reduced(selection: Selection) -> Selection:
        """`selection` with its directives applied (already known to be included)."""
        return Selection(
            name=selection.name,
            alias=selection.alias,
            arguments=selection.arguments,
            children=selection.children,
        )

    def field(self, type_name: str, name: str) -> Any:
        composite = self.supergraph.types[type_name]
        assert isinstance(composite, CompositeType)
        return composite.fields[name]

    def owner(self, type_name: str, name: str) -> str:
        return self.field(type_name, name).resolving_graphs[0]  # type: ignore[no-any-return]

    def is_entity(self, type_name: str) -> bool:
        composite = self.supergraph.types.get(type_name)
        return isinstance(composite, CompositeType) and any(
            key.fields.text == "id"
            for graph in composite.graphs
            for key in composite.keys_in(graph)
        )


def _objects(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [item for element in value for item in _objects(element)]
    return [value] if isinstance(value, dict) else []


def _strip(value: Any) -> None:
    """Drop the oracle's own `id` selections from an answer."""
    if isinstance(value, list):
        for item in value:
            _strip(item)
    elif isinstance(value, dict):
        value.pop(ORACLE_ID, None)
        for item in value.values():
            _strip(item)
