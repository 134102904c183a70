"""A mutable, ordered selection set the planner fills while it assigns fields to fetches.

Entries merge by identity (response key + arguments + directives for fields, type condition +
directives for fragments), so adding the same key field twice yields it once. `to_ast` turns a
finished tree into graphql-core AST for the fetch's operation text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    ArgumentNode,
    DirectiveNode,
    FieldNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    SelectionNode,
    SelectionSetNode,
    print_ast,
)


@dataclass
class FieldEntry:
    name: str
    alias: str | None = None
    arguments: tuple[ArgumentNode, ...] = ()
    directives: tuple[DirectiveNode, ...] = ()
    children: SelectionTree | None = None
    leading: bool = False
    rank: int = 0

    @property
    def response_key(self) -> str:
        return self.alias or self.name


@dataclass
class FragmentEntry:
    type_condition: str | None
    directives: tuple[DirectiveNode, ...] = ()
    children: SelectionTree = field(default_factory=lambda: SelectionTree())
    leading: bool = False
    rank: int = 0


Entry = FieldEntry | FragmentEntry


def _directives_identity(directives: tuple[DirectiveNode, ...]) -> str:
    return " ".join(print_ast(directive) for directive in directives)


def field_identity(
    name: str,
    alias: str | None,
    arguments: tuple[ArgumentNode, ...],
    directives: tuple[DirectiveNode, ...],
) -> tuple[str, ...]:
    return (
        "field",
        alias or name,
        name,
        " ".join(print_ast(argument) for argument in arguments),
        _directives_identity(directives),
    )


class SelectionTree:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, ...], Entry] = {}

    def __bool__(self) -> bool:
        return bool(self.entries)

    def add_field(
        self,
        name: str,
        alias: str | None = None,
        arguments: tuple[ArgumentNode, ...] = (),
        directives: tuple[DirectiveNode, ...] = (),
        *,
        composite: bool = False,
        first: bool = False,
        rank: int = 0,
    ) -> FieldEntry:
        identity = field_identity(name, alias, arguments, directives)
        existing = self.entries.get(identity)
        if isinstance(existing, FieldEntry):
            if composite and existing.children is None:
                existing.children = SelectionTree()
            if first and (not existing.leading or rank < existing.rank):
                del self.entries[identity]
                self._insert(identity, existing, first, rank)
            return existing
        entry = FieldEntry(
            name=name,
            alias=alias,
            arguments=arguments,
            directives=directives,
            children=SelectionTree() if composite else None,
        )
        self._insert(identity, entry, first, rank)
        return entry

    def add_fragment(
        self,
        type_condition: str | None,
        directives: tuple[DirectiveNode, ...] = (),
        *,
        first: bool = False,
        rank: int = 0,
    ) -> FragmentEntry:
        identity = ("fragment", type_condition or "", _directives_identity(directives))
        existing = self.entries.get(identity)
        if isinstance(existing, FragmentEntry):
            return existing
        entry = FragmentEntry(type_condition=type_condition, directives=directives)
        self._insert(identity, entry, first, rank)
        return entry

    def _insert(self, identity: tuple[str, ...], entry: Entry, first: bool, rank: int) -> None:
        if not first:
            self.entries[identity] = entry
            return
        # Key fields go before the client's fields, as Apollo prints them: Apollo handles the
        # jumps out of a selection before its fields, in the supergraph's graph order (`rank`).
        entry.leading = True
        entry.rank = rank
        leading = [item for item in self.entries.items() if item[1].leading]
        rest = [item for item in self.entries.items() if not item[1].leading]
        before = [item for item in leading if item[1].rank <= rank]
        after = [item for item in leading if item[1].rank > rank]
        self.entries = dict([*before, (identity, entry), *after, *rest])

    def merge(self, other: SelectionTree) -> None:
        for identity, entry in other.entries.items():
            existing = self.entries.get(identity)
            if existing is None:
                self.entries[identity] = entry
            elif isinstance(existing, FieldEntry) and isinstance(entry, FieldEntry):
                if entry.children is not None:
                    if existing.children is None:
                        existing.children = SelectionTree()
                    existing.children.merge(entry.children)
            elif isinstance(existing, FragmentEntry) and isinstance(entry, FragmentEntry):
                existing.children.merge(entry.children)

    def to_ast(self) -> SelectionSetNode:
        selections: list[SelectionNode] = []
        for entry in self.entries.values():
            if isinstance(entry, FieldEntry):
                children = entry.children.to_ast() if entry.children is not None else None
                if children is not None and not children.selections:
                    # Every field below it was fetched from another subgraph.
                    continue
                selections.append(
                    FieldNode(
                        alias=NameNode(value=entry.alias) if entry.alias else None,
                        name=NameNode(value=entry.name),
                        arguments=entry.arguments,
                        directives=entry.directives,
                        selection_set=children,
                    )
                )
            elif entry.children:
                selections.append(
                    InlineFragmentNode(
                        type_condition=NamedTypeNode(name=NameNode(value=entry.type_condition))
                        if entry.type_condition
                        else None,
                        directives=entry.directives,
                        selection_set=entry.children.to_ast(),
                    )
                )
        return SelectionSetNode(selections=tuple(selections))
