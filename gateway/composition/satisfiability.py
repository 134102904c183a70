"""Satisfiability: every query the supergraph allows must be resolvable through the subgraphs.

Follows Apollo's validation traversal: a depth-first walk over states (supergraph type, the
positions in subgraphs a path can stand at, the override labels chosen), from every root type,
where each field of a reached type, and each downcast of an abstract one, must be takeable from
at least one position (see `satisfiability_moves`); abstract types are only left through
downcasts, as in Apollo's supergraph query graph. A state is skipped when an earlier visit of
the same type stood in a subset of its places, so errors are reported on the same paths as
Apollo's. A field with a progressive `@override` label is checked twice, label on and label off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gateway.composition.errors import Report, subgraph_list
from gateway.composition.merged_model import MergedSchema
from gateway.composition.satisfiability_moves import (
    Labels,
    Moves,
    Position,
    leaf_type,
    named_type_of,
)
from gateway.composition.subgraph_model import Subgraph


@dataclass(frozen=True)
class State:
    type_name: str
    positions: tuple[Position, ...]
    path: tuple[str, ...]
    labels: Labels = frozenset()


class _Traversal:
    def __init__(self, subgraphs: Sequence[Subgraph], schema: MergedSchema, report: Report) -> None:
        self.subgraphs = subgraphs
        self.schema = schema
        self.report = report
        self.moves = Moves(subgraphs, schema)
        self.visits: dict[str, list[tuple[frozenset[tuple[int, str]], Labels]]] = {}
        self.stack: list[State] = []
        # interface → its object implementations, in schema order
        self.implementations: dict[str, list[str]] = {}
        for other in schema.types.values():
            if other.kind == "object":
                for interface in dict.fromkeys(other.interfaces):
                    self.implementations.setdefault(interface, []).append(other.name)

    def run(self) -> None:
        for root in self.schema.root_types.values():
            holders = [
                Position(index)
                for index, subgraph in enumerate(self.subgraphs)
                if subgraph.type(root) is not None
            ]
            self.stack.append(State(root, tuple(holders), ()))
        while self.stack:
            self.handle(self.stack.pop())

    def skip(self, state: State) -> bool:
        """Apollo's `canSkipVisit`: an earlier visit stood in no more places."""
        places = frozenset(
            (position.subgraph, self.tail_name(position.subgraph, state.type_name))
            for position in state.positions
        )
        visits = self.visits.setdefault(state.type_name, [])
        if any(seen <= places and labels <= state.labels for seen, labels in visits):
            return True
        visits.append((places, state.labels))
        return False

    def tail_name(self, index: int, type_name: str) -> str:
        tail = self.moves.tail_type(index, type_name)
        return tail.name if tail else type_name

    def handle(self, state: State) -> None:
        if self.skip(state):
            return
        merged = self.schema.types[state.type_name]
        if merged.kind in ("interface", "union"):
            # Apollo's supergraph query graph has only downcasts out of an abstract type.
            for runtime in self.runtime_types(state.type_name):
                self.downcast(state, runtime)
            return
        for field_name, merged_field in merged.fields.items():
            if "@inaccessible" in merged_field.directives:
                continue  # not in the API schema, so no query reaches it
            for labels in self.label_choices(state, field_name):
                self.take_field(state, field_name, merged_field.type, labels)

    def label_choices(self, state: State, field_name: str) -> list[Labels]:
        label = self.moves.override_labels.get((state.type_name, field_name))
        if label is None:
            return [state.labels]
        chosen = dict(state.labels)
        if label in chosen:
            return [state.labels]
        return [state.labels | {(label, True)}, state.labels | {(label, False)}]

    def runtime_types(self, type_name: str) -> list[str]:
        merged = self.schema.types[type_name]
        names = (
            merged.members if merged.kind == "union" else self.implementations.get(type_name, [])
        )
        # Inaccessible types are not in the API schema, so no query casts to them.
        return [name for name in names if "@inaccessible" not in self.schema.types[name].directives]

    def take_field(self, state: State, field_name: str, printed: str, labels: Labels) -> None:
        coordinate = f"{state.type_name}.{field_name}"
        leaf = leaf_type(self.schema, printed)
        following = self.moves.options_from(
            state.positions, state.type_name, field_name, labels, leaf
        )
        path = (*state.path, coordinate)
        if not following:
            self.fail(state, path, coordinate, FIELD_REASON.format(coordinate=coordinate))
        elif not leaf:
            self.stack.append(State(named_type_of(printed), tuple(following), path, labels))

    def downcast(self, state: State, runtime: str) -> None:
        """A `... on Runtime` under an abstract type. As in Apollo, when one position's subgraph
        can never return that type, the cast yields nothing there and the branch is dropped."""
        following: list[Position] = []
        for position in state.positions:
            tail = self.moves.tail_type(position.subgraph, state.type_name)
            if tail is not None and tail.interface_object:
                following.extend(self.interface_object_cast(position, state.type_name, runtime))
                continue
            if runtime not in self.moves.runtime_types(position.subgraph, state.type_name):
                return
            following.append(position)
            for other in self.moves.reachable(position.subgraph, state.type_name):
                if runtime in self.moves.runtime_types(other, state.type_name):
                    following.append(Position(other))
        if not following:
            path = (*state.path, f"... on {runtime}")
            self.fail(state, path, runtime, CAST_REASON.format(runtime=runtime))
            return
        unique = tuple(dict.fromkeys(following))
        self.stack.append(State(runtime, unique, state.path, state.labels))

    def interface_object_cast(
        self, position: Position, interface: str, runtime: str
    ) -> list[Position]:
        """From an `@interfaceObject`, the concrete type is known only after a key hop to a
        subgraph having the real interface; the fields of the interface stay local."""
        reached = self.moves.reachable(position.subgraph, interface)
        if not any(runtime in self.moves.runtime_types(other, interface) for other in reached):
            return []
        found = [position]
        found.extend(
            Position(other) for other in reached if self.subgraphs[other].type(runtime) is not None
        )
        return found

    def fail(self, state: State, path: tuple[str, ...], coordinate: str, reason: str) -> None:
        """Names the subgraphs Apollo's reasons come from: where the path stood, and the
        subgraphs it could hop to from there (which all failed too)."""
        involved: dict[int, None] = {}
        for position in state.positions:
            hops = self.moves.reachable(position.subgraph, state.type_name)
            for index in [position.subgraph, *hops]:
                involved.setdefault(index)
        names = [self.subgraphs[index].name for index in involved]
        self.report.error(
            "SATISFIABILITY_ERROR",
            f"The supergraph path {' -> '.join(path)} cannot be satisfied: from "
            f"{subgraph_list(names)}, {reason}.",
            names,
            coordinate,
        )


FIELD_REASON = (
    'field "{coordinate}" is not resolvable (missing, @external, overridden, or its @requires '
    "cannot be fetched), and no subgraph resolving it can be reached through a resolvable key"
)
CAST_REASON = (
    'no subgraph can be reached to resolve the implementation type "{runtime}" of the '
    "@interfaceObject"
)


def check_satisfiability(
    subgraphs: Sequence[Subgraph], schema: MergedSchema, report: Report
) -> None:
    _Traversal(subgraphs, schema, report).run()
