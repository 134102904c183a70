"""Fetch groups: what one subgraph request will select, and which requests it waits for.

The walk creates groups; optimization passes merge and prune them; `build_nodes` turns the
finished graph into plan nodes. A group's `merge_path` is where its result lands in the
response (`@` for list elements); `requires` is the representation shape of an entity fetch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.planning.nodes import Rewrite, ValueSetter
from gateway.planning.selection_tree import FieldEntry, FragmentEntry, SelectionTree

Conditions = tuple[tuple[str, bool], ...]
"""(variable, included-when) pairs: `@include(if: $x)` is ("x", True), `@skip` ("x", False)."""


@dataclass(eq=False)
class FetchGroup:
    id: int
    service: str
    is_entity: bool
    merge_path: tuple[str, ...]
    conditions: Conditions = ()
    selections: SelectionTree = field(default_factory=SelectionTree)
    requires: SelectionTree = field(default_factory=SelectionTree)
    parents: list[FetchGroup] = field(default_factory=list)
    # Groups that must run before this one although it is not merged under them: the fetches
    # providing `@requires` fields.
    dependencies: list[FetchGroup] = field(default_factory=list)
    # Mutation root fields run in order: the index of the root-field run this group serves.
    mutation_step: int = 0
    # `__typename` renames on the representations sent (`@interfaceObject`).
    input_rewrites: list[ValueSetter] = field(default_factory=list)
    # Keys renamed back in the fetched data (fields aliased for their subgraph's types).
    output_rewrites: list[Rewrite] = field(default_factory=list)

    def sent_fields(self) -> dict[str, str | None]:
        """The representation's fields by name, each with the response key its value is read
        from (an alias for a requirement with arguments)."""
        sent: dict[str, str | None] = {}
        for fragment in self.requires.entries.values():
            if isinstance(fragment, FragmentEntry):
                for entry in fragment.children.entries.values():
                    if isinstance(entry, FieldEntry):
                        sent[entry.name] = entry.alias
        return sent

    @property
    def all_parents(self) -> list[FetchGroup]:
        seen: list[FetchGroup] = []
        for group in [*self.parents, *self.dependencies]:
            if group not in seen:
                seen.append(group)
        return seen


class FetchGraph:
    def __init__(self) -> None:
        self.groups: list[FetchGroup] = []
        # Entity groups by (id of the parent they were created under, merge path): the walk
        # looks for a group to reuse once per field, and scanning every group made planning
        # quadratic in the number of (aliased) entity fields.
        self._created_under: dict[tuple[int, tuple[str, ...]], list[FetchGroup]] = {}

    def new_group(
        self,
        service: str,
        *,
        is_entity: bool,
        merge_path: tuple[str, ...] = (),
        conditions: Conditions = (),
        parent: FetchGroup | None = None,
        mutation_step: int = 0,
    ) -> FetchGroup:
        group = FetchGroup(
            id=len(self.groups),
            service=service,
            is_entity=is_entity,
            merge_path=merge_path,
            conditions=conditions,
            parents=[parent] if parent is not None else [],
            mutation_step=mutation_step,
        )
        self.groups.append(group)
        if parent is not None:
            self._created_under.setdefault((parent.id, merge_path), []).append(group)
        return group

    def created_under(self, parent: FetchGroup, merge_path: tuple[str, ...]) -> list[FetchGroup]:
        """The groups the walk created under `parent` at `merge_path` (passes re-parent groups
        later; this is the walk's view)."""
        return self._created_under.get((parent.id, merge_path), [])

    def direct_parents(self, group: FetchGroup) -> list[FetchGroup]:
        """`all_parents` without those another parent already waits for (a transitive
        reduction): a fetch needing its entity's fetch and a requirement fetched below it
        runs right after the requirement."""
        parents = group.all_parents
        return [
            parent
            for parent in parents
            if not any(other is not parent and _waits_for(other, parent) for other in parents)
        ]

    def children(self, group: FetchGroup) -> list[FetchGroup]:
        return [candidate for candidate in self.groups if group in candidate.all_parents]

    def children_by_parent(self) -> dict[int, list[FetchGroup]]:
        """`children` of every group at once, by parent id, in graph order."""
        children: dict[int, list[FetchGroup]] = {}
        for candidate in self.groups:
            for parent in candidate.all_parents:
                children.setdefault(parent.id, []).append(candidate)
        return children

    def remove(self, group: FetchGroup) -> None:
        self.groups.remove(group)
        for created in self._created_under.values():
            if group in created:
                created.remove(group)
        for other in self.groups:
            other.parents = [parent for parent in other.parents if parent is not group]
            other.dependencies = [
                dependency for dependency in other.dependencies if dependency is not group
            ]


def representations_conflict(sent: dict[str, str | None], other: dict[str, str | None]) -> bool:
    """Whether two sets of representation fields need one field read from two response keys
    (`rate` for the EU and `rate` for the US): a representation carries one value per name."""
    return any(name in other and other[name] != key for name, key in sent.items())


def _waits_for(group: FetchGroup, ancestor: FetchGroup) -> bool:
    pending = list(group.all_parents)
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if current is ancestor:
            return True
        if current.id not in seen:
            seen.add(current.id)
            pending.extend(current.all_parents)
    return False
