"""When every top-level selection of a fetch carries the same `@skip`/`@include` with a
variable, the whole fetch depends on it: strip the directive from the selections and make it
the group's condition, so the plan skips the request instead of sending an empty one."""

from __future__ import annotations

from graphql import DirectiveNode, VariableNode

from gateway.planning.fetch_graph import FetchGraph, FetchGroup
from gateway.planning.selection_tree import (
    Entry,
    FieldEntry,
    FragmentEntry,
    SelectionTree,
    field_identity,
)


def _condition(directive: DirectiveNode) -> tuple[str, bool] | None:
    if directive.name.value not in ("skip", "include"):
        return None
    for argument in directive.arguments or ():
        if argument.name.value == "if" and isinstance(argument.value, VariableNode):
            return (argument.value.name.value, directive.name.value == "include")
    return None


def _top_level(group: FetchGroup) -> list[tuple[SelectionTree, Entry]]:
    trees = (
        [
            entry.children
            for entry in group.selections.entries.values()
            if isinstance(entry, FragmentEntry)
        ]
        if group.is_entity
        else [group.selections]
    )
    return [(tree, entry) for tree in trees for entry in tree.entries.values()]


def _hoist(group: FetchGroup) -> bool:
    entries = _top_level(group)
    if not entries:
        return False
    shared: set[tuple[str, bool]] | None = None
    for _, entry in entries:
        found = {c for d in entry.directives if (c := _condition(d)) is not None}
        shared = found if shared is None else shared & found
    if not shared:
        return False
    condition = sorted(shared)[0]
    for _, entry in entries:
        entry.directives = tuple(d for d in entry.directives if _condition(d) != condition)
    for tree in {id(tree): tree for tree, _ in entries}.values():
        _unwrap_bare_fragments(tree)
    group.conditions = (*group.conditions, condition)
    return True


def _unwrap_bare_fragments(tree: SelectionTree) -> None:
    """`... { x }` left without type condition or directive is just `x`."""
    rebuilt = SelectionTree()
    for identity, entry in tree.entries.items():
        if (
            isinstance(entry, FragmentEntry)
            and entry.type_condition is None
            and not entry.directives
        ):
            rebuilt.merge(entry.children)
        else:
            rebuilt.merge(_single(identity, entry))
    tree.entries = rebuilt.entries


def _single(identity: tuple[str, ...], entry: Entry) -> SelectionTree:
    tree = SelectionTree()
    if isinstance(entry, FieldEntry):
        # Field identity includes its directives, which may just have changed.
        tree.entries[field_identity(entry.name, entry.alias, entry.arguments, entry.directives)] = (
            entry
        )
    else:
        tree.entries[identity] = entry
    return tree


def hoist_conditions(graph: FetchGraph) -> bool:
    changed = False
    for group in graph.groups:
        while _hoist(group):
            changed = True
    return changed
