"""Satisfiability: every field reachable from a root must be resolvable through the subgraphs.

A walk over (subgraph, type) states, breadth first from each subgraph's root fields. In a state
every field of the supergraph type must be resolvable by that subgraph itself, or by another
subgraph reached through one of its resolvable keys whose fields the current subgraph can give.
This is a simpler model than Apollo's query graph (no `@provides` paths, no `@requires`
conditions, no progressive override); see docs/deviations.md.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from gateway.composition.errors import Report
from gateway.composition.field_sets import selected_fields
from gateway.composition.field_usage import provided_coordinates
from gateway.composition.merged_model import MergedSchema
from gateway.composition.subgraph_model import Subgraph, SubgraphType
from gateway.composition.subgraph_parser import named_type

# Where a path may stand: (subgraph index, reached through a field it only `@provides`).
Candidate = tuple[int, bool]


class _Walk:
    def __init__(self, subgraphs: Sequence[Subgraph], schema: MergedSchema, report: Report) -> None:
        self.subgraphs = subgraphs
        self.schema = schema
        self.report = report
        self.provided = [provided_coordinates(subgraph) for subgraph in subgraphs]
        self.seen: set[tuple[str, frozenset[Candidate]]] = set()
        self.queue: deque[tuple[str, frozenset[Candidate], tuple[str, ...]]] = deque()
        self.failed: set[str] = set()

    def local(self, index: int, type_name: str, field_name: str) -> Candidate | None:
        type_ = self.subgraphs[index].type(type_name)
        field_ = type_.field(field_name) if type_ else None
        if field_ is None:
            return None
        if not field_.external:
            return (index, False)
        if f"{type_name}.{field_name}" in self.provided[index]:
            return (index, True)
        return None

    def entity_types(self, index: int, type_name: str) -> list[SubgraphType]:
        """The type itself, and the `@interfaceObject`s standing for its interfaces."""
        subgraph = self.subgraphs[index]
        merged = self.schema.types.get(type_name)
        found = [t for t in [subgraph.type(type_name)] if t is not None]
        for interface in merged.interfaces if merged else ():
            candidate = subgraph.type(interface)
            if candidate is not None and candidate.interface_object:
                found.append(candidate)
        return found

    def reachable(self, index: int, type_name: str) -> set[int]:
        """The subgraphs an entity of `type_name` held in subgraph `index` can be taken to:
        through a resolvable key whose fields it has, and on from there, since the subgraph
        jumped to can give its own fields, including the fields of another key."""
        reached = {index}
        frontier = [index]
        while frontier:
            holder = frontier.pop()
            held = self.entity_types(holder, type_name)
            for other in range(len(self.subgraphs)):
                if other not in reached and self.accepts(other, type_name, held):
                    reached.add(other)
                    frontier.append(other)
        return reached

    def accepts(self, index: int, type_name: str, held: Sequence[SubgraphType]) -> bool:
        """Whether subgraph `index` resolves `type_name` by a key the `held` types can fill."""
        for other_type in self.entity_types(index, type_name):
            for key in other_type.keys:
                if key.resolvable is False:
                    continue
                names = selected_fields(key.fields).top_level_names()
                if any(all(h.field(name) is not None for name in names) for h in held):
                    return True
        return False

    def jumps(self, index: int, type_name: str, field_name: str) -> list[Candidate]:
        targets: list[Candidate] = []
        for other_index in sorted(self.reachable(index, type_name) - {index}):
            for other_type in self.entity_types(other_index, type_name):
                other_field = other_type.field(field_name)
                if other_field is not None and not other_field.external:
                    targets.append((other_index, False))
                    break
        return targets

    def enqueue(
        self, type_name: str, candidates: frozenset[Candidate], path: tuple[str, ...]
    ) -> None:
        merged = self.schema.types.get(type_name)
        if merged is None or merged.kind in ("scalar", "enum", "input"):
            return
        runtime = (
            [type_name]
            if merged.kind == "object"
            else (
                merged.members
                if merged.kind == "union"
                else [
                    t.name
                    for t in self.schema.types.values()
                    if type_name in t.interfaces and t.kind == "object"
                ]
            )
        )
        for name in runtime:
            present = frozenset(
                candidate
                for candidate in candidates
                if self.subgraphs[candidate[0]].type(name) is not None
            )
            if present and (name, present) not in self.seen:
                self.seen.add((name, present))
                self.queue.append((name, present, path))

    def run(self) -> None:
        for index, subgraph in enumerate(self.subgraphs):
            for root in subgraph.root_types.values():
                root_type = subgraph.type(root)
                for field_ in root_type.fields if root_type else ():
                    self.enqueue(
                        named_type(field_.type),
                        frozenset({(index, False)}),
                        (f"{root}.{field_.name}",),
                    )
        while self.queue:
            type_name, candidates, path = self.queue.popleft()
            self.check(type_name, candidates, path)

    def check(
        self, type_name: str, candidates: frozenset[Candidate], path: tuple[str, ...]
    ) -> None:
        merged = self.schema.types[type_name]
        if any(provided for _, provided in candidates):
            return  # what a `@provides` selects is checked by the provides validation
        for field_name, merged_field in merged.fields.items():
            coordinate = f"{type_name}.{field_name}"
            following: set[Candidate] = set()
            for index, _ in sorted(candidates):
                local = self.local(index, type_name, field_name)
                if local is not None:
                    following.add(local)
                following.update(self.jumps(index, type_name, field_name))
            if following:
                self.enqueue(
                    named_type_of(merged_field.type), frozenset(following), (*path, coordinate)
                )
                continue
            if coordinate in self.failed or "@inaccessible" in merged_field.directives:
                continue
            self.failed.add(coordinate)
            subgraph = self.subgraphs[min(candidates)[0]].name
            self.report.error(
                "SATISFIABILITY_ERROR",
                f"The supergraph path {' -> '.join((*path, coordinate))} cannot be satisfied: from "
                f'subgraph "{subgraph}", field "{coordinate}" is not resolvable there, and no '
                "other "
                "subgraph resolving it can be reached through a resolvable key whose fields "
                f'"{subgraph}" can provide.',
                [subgraph],
                coordinate,
            )


def named_type_of(printed: str) -> str:
    return printed.replace("[", "").replace("]", "").replace("!", "")


def check_satisfiability(
    subgraphs: Sequence[Subgraph], schema: MergedSchema, report: Report
) -> None:
    _Walk(subgraphs, schema, report).run()
