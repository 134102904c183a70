"""Fields of one fetch that share a response key but whose types conflict in its subgraph.

`... on Book { title } ... on Movie { title }` is a valid client operation when the supergraph
types both fields `String`, but a subgraph where `Book.title` is `String!` refuses it: GraphQL's
"fields can merge" rule compares the shapes of same-named fields even under different parent
types. After the walk, every such field whose type (as the fetch's subgraph declares it) differs
from the first one's is fetched under an alias (`title__alias_0`), and the fetch renames it back
before its data is merged (a `KeyRenamer` output rewrite), as Apollo's plans do.
"""

from __future__ import annotations

from collections.abc import Iterator

from gateway.planning.added_fields import AddedFieldKeys
from gateway.planning.fetch_graph import FetchGraph
from gateway.planning.nodes import KeyRenamer
from gateway.planning.selection_tree import FieldEntry, FragmentEntry, SelectionTree
from gateway.supergraph import CompositeType, Field, Supergraph

ALIAS = "{}__alias_{}"


def alias_conflicting_fields(
    graph: FetchGraph, supergraph: Supergraph, root_type: str, added: AddedFieldKeys
) -> None:
    for group in graph.groups:
        renames: list[KeyRenamer] = []
        aliases = _Aliases(added)
        _resolve(supergraph, group.selections, root_type, group.service, (), renames, aliases)
        # Innermost first: an outer rename would move the objects an inner path leads to.
        group.output_rewrites.extend(reversed(renames))


class _Aliases:
    def __init__(self, added: AddedFieldKeys) -> None:
        self.taken = added.taken
        self.count = 0

    def next(self, key: str) -> str:
        while True:
            alias = ALIAS.format(key, self.count)
            self.count += 1
            if alias not in self.taken:
                return alias


def _resolve(
    supergraph: Supergraph,
    tree: SelectionTree,
    parent_type: str,
    service: str,
    path: tuple[str, ...],
    renames: list[KeyRenamer],
    aliases: _Aliases,
) -> None:
    shapes: dict[str, str] = {}
    for entry, owner in _fields_in_scope(tree, parent_type):
        field = _field(supergraph, owner, entry.name)
        if field is None:
            continue
        presence = field.graphs.get(service)
        declared = presence.type if presence is not None and presence.type else field.type
        shape = _shape(supergraph, declared, field.named_type)
        key = entry.response_key
        first = shapes.setdefault(key, shape)
        if shape != first:
            entry.alias = aliases.next(key)
            renames.append(KeyRenamer((*path, entry.alias), key))
        if entry.children is not None:
            _resolve(
                supergraph,
                entry.children,
                field.named_type,
                service,
                (*path, entry.response_key),
                renames,
                aliases,
            )


def _fields_in_scope(tree: SelectionTree, parent_type: str) -> Iterator[tuple[FieldEntry, str]]:
    """The fields selected on one object: the tree's own and those in its fragments."""
    for entry in tree.entries.values():
        if isinstance(entry, FieldEntry):
            yield entry, parent_type
        elif isinstance(entry, FragmentEntry):
            yield from _fields_in_scope(entry.children, entry.type_condition or parent_type)


def _field(supergraph: Supergraph, type_name: str, field_name: str) -> Field | None:
    named = supergraph.types.get(type_name)
    if not isinstance(named, CompositeType):
        return None
    return named.fields.get(field_name)


def _shape(supergraph: Supergraph, declared: str, named_type: str) -> str:
    """What the merge rule compares: list and non-null wrappers, and the type for leaves (the
    sub-selections of composite fields are compared on their own)."""
    if supergraph.is_composite(named_type):
        return declared.replace(declared.strip("[]!"), "*")
    return declared
