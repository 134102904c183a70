"""Keys and field sets as the walk needs them: which key lets one subgraph hand an entity to
another, and field sets (`@key`, `@requires`) as client-like selections."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from graphql import (
    ArgumentNode,
    FieldNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    SelectionNode,
    SelectionSetNode,
    parse_value,
)

from gateway.planning.added_fields import AddedFieldKeys
from gateway.planning.selection_tree import SelectionTree
from gateway.supergraph import (
    CompositeType,
    FieldSelection,
    FieldSetSelection,
    FragmentSelection,
    Key,
    Supergraph,
)


def available_in(supergraph: Supergraph, type_name: str, field_name: str, graph: str) -> bool:
    """Can `graph` return this field of an object it holds? External key fields count: a
    subgraph always knows the keys of the entities it returns."""
    named = supergraph.types.get(type_name)
    if not isinstance(named, CompositeType) or graph not in named.graphs:
        return False
    field = named.fields.get(field_name)
    if field is None:
        return False
    presence = field.graphs.get(graph)
    if presence is None:
        return False
    if presence.resolves:
        return True
    return any(field_name in key.fields.field_names() for key in named.keys_in(graph))


def collectable(
    supergraph: Supergraph,
    type_name: str,
    selections: tuple[FieldSetSelection, ...],
    graph: str,
) -> bool:
    for selection in selections:
        if isinstance(selection, FragmentSelection):
            if not collectable(supergraph, selection.type_condition, selection.selections, graph):
                return False
            continue
        if selection.name == "__typename":
            continue
        if not available_in(supergraph, type_name, selection.name, graph):
            return False
        if selection.selections:
            nested = supergraph.field(type_name, selection.name).named_type
            if not collectable(supergraph, nested, selection.selections, graph):
                return False
    return True


def usable_key(supergraph: Supergraph, type_name: str, source: str, target: str) -> Key | None:
    """The first resolvable key of `type_name` in `target` whose fields `source` can supply."""
    named = supergraph.types.get(type_name)
    if not isinstance(named, CompositeType):
        return None
    for key in named.keys_in(target):
        if key.resolvable and collectable(supergraph, type_name, key.fields.selections, source):
            return key
    return None


@dataclass(frozen=True)
class Hop:
    """One fetch of a route: the subgraph entered, and the key it is entered with; no key for
    the query root, which any subgraph resolving the path's fields can be entered at again
    with a root fetch of its own."""

    graph: str
    key: Key | None
    # The key is not all in the previous subgraph: its missing fields are fetched first.
    assembled: bool = False


def key_route(
    supergraph: Supergraph, type_name: str, source: str, target: str
) -> tuple[Hop, ...] | None:
    """The shortest chain of entity fetches taking an entity of `type_name` from `source` to
    `target`, each entered with a key the previous subgraph can supply (breadth first, in
    the supergraph's graph order, so the choice is deterministic)."""
    routes: dict[str, tuple[Hop, ...]] = {source: ()}
    frontier = [source]
    while frontier:
        reached: list[str] = []
        for graph in frontier:
            for candidate in supergraph.graphs:
                if candidate in routes:
                    continue
                key = usable_key(supergraph, type_name, graph, candidate)
                if key is None:
                    continue
                routes[candidate] = (*routes[graph], Hop(candidate, key))
                if candidate == target:
                    return routes[candidate]
                reached.append(candidate)
        frontier = reached
    return None


def assembled_key(supergraph: Supergraph, type_name: str, source: str, target: str) -> Key | None:
    """The first resolvable key of `type_name` in `target` whose fields can be gathered from
    `source` and subgraphs it can hand the entity to, each top-level field (with its nested
    selection) from one of them."""
    named = supergraph.types.get(type_name)
    if not isinstance(named, CompositeType):
        return None
    for key in named.keys_in(target):
        if key.resolvable and all(
            any(
                collectable(supergraph, type_name, (selection,), graph)
                and (graph == source or key_route(supergraph, type_name, source, graph))
                for graph in supergraph.graphs
                if graph != target
            )
            for selection in key.fields.selections
        ):
            return key
    return None


def add_field_set(
    tree: SelectionTree,
    selections: tuple[FieldSetSelection, ...],
    added: AddedFieldKeys,
    *,
    first: bool,
    rank: int = 0,
) -> None:
    """Add a field set's selections to `tree` (key fields go `first`, as Apollo orders them),
    each under the response key the planner's own fields get (`added_fields`)."""
    for selection in selections:
        if isinstance(selection, FragmentSelection):
            fragment = tree.add_fragment(selection.type_condition, first=first, rank=rank)
            add_field_set(fragment.children, selection.selections, added, first=False)
            continue
        entry = tree.add_field(
            selection.name,
            added_alias(selection, added),
            arguments=_arguments(selection),
            composite=bool(selection.selections),
            first=first,
            rank=rank,
        )
        if entry.children is not None:
            add_field_set(entry.children, selection.selections, added, first=False)


def field_set_nodes(
    selections: tuple[FieldSetSelection, ...], added: AddedFieldKeys
) -> tuple[SelectionNode, ...]:
    """A field set as client selections, so `@requires` fields are planned like queried ones
    (under the planner's own response keys)."""
    nodes: list[SelectionNode] = []
    for selection in selections:
        if isinstance(selection, FieldSelection):
            alias = added_alias(selection, added)
            nodes.append(
                FieldNode(
                    alias=NameNode(value=alias) if alias else None,
                    name=NameNode(value=selection.name),
                    arguments=_arguments(selection),
                    directives=(),
                    selection_set=SelectionSetNode(
                        selections=field_set_nodes(selection.selections, added)
                    )
                    if selection.selections
                    else None,
                )
            )
        else:
            nodes.append(
                InlineFragmentNode(
                    type_condition=NamedTypeNode(name=NameNode(value=selection.type_condition)),
                    directives=(),
                    selection_set=SelectionSetNode(
                        selections=field_set_nodes(selection.selections, added)
                    ),
                )
            )
    return tuple(nodes)


def added_alias(selection: FieldSelection, added: AddedFieldKeys) -> str | None:
    """The alias a field-set field is fetched under: by its arguments, or away from a client
    field holding its name."""
    return required_alias(selection) or added.alias(selection.name)


def required_alias(selection: FieldSelection) -> str | None:
    """The response key a field-set field with arguments is fetched under. The merged
    response is keyed by response key: fetched as plain `rate`, `rate(region: "EU")` would
    clash with the client's `rate(region: "US")` (or another requirement's) in the same fetch
    or the same object. The representation still sends it as `rate`, as Apollo does."""
    if not selection.arguments:
        return None
    printed = ",".join(f"{name}:{value}" for name, value in selection.arguments)
    return f"{selection.name}__requires_{hashlib.sha1(printed.encode()).hexdigest()[:8]}"


def _arguments(selection: FieldSelection) -> tuple[ArgumentNode, ...]:
    return tuple(
        ArgumentNode(name=NameNode(value=name), value=parse_value(value))
        for name, value in selection.arguments
    )
