"""How the walk leaves a subgraph: entity fetches from the nearest entity above a field (the
*anchor*) to a subgraph that resolves it.

A jump follows a *route*: one entity fetch per hop, each entered with a key the previous
subgraph can supply. Most routes have one hop; when the target's keys are all ones the source
cannot supply, the route goes through a third subgraph that can (pricing knows `sku`, reviews
needs `id`, catalog maps one to the other), as Apollo's plans do. A field only an
`@interfaceObject` subgraph resolves is entered as the interface there, with `__typename`
rewritten to the interface's name on the representations sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from graphql import FieldNode, SelectionNode

from gateway.planning.added_fields import TYPENAME, AddedFieldKeys
from gateway.planning.errors import PlanningError
from gateway.planning.fetch_graph import FetchGraph, FetchGroup, representations_conflict
from gateway.planning.keys import (
    Hop,
    add_field_set,
    added_alias,
    assembled_key,
    available_in,
    field_set_nodes,
    key_route,
    usable_key,
)
from gateway.planning.nodes import ValueSetter
from gateway.planning.positions import Anchor, Position, Step
from gateway.planning.selection_tree import FragmentEntry, SelectionTree
from gateway.supergraph import CompositeType, Field, FieldSelection, FieldSet, Supergraph

TYPE_CONDITION = "... on {}"


@dataclass(frozen=True)
class Destination:
    """Where a field is fetched: the hops from the anchor's subgraph, the type the last
    subgraph knows the anchor as (itself, or the `@interfaceObject` interface standing for it),
    and the field as that type defines it."""

    route: tuple[Hop, ...]
    entered_type: str
    field: Field

    @property
    def target(self) -> str:
        return self.route[-1].graph


class EntityJumps:
    supergraph: Supergraph
    graph: FetchGraph
    requirement_groups: list[list[FetchGroup]]
    typename_trees: set[int]
    added: AddedFieldKeys

    # Provided by the walker.
    def walk(self, position: Position, selections: Iterable[SelectionNode]) -> None:
        raise NotImplementedError

    def _resolvable(
        self,
        position: Position,
        named: CompositeType,
        field: Field,
        *,
        requirement_met: bool = False,
    ) -> bool:
        raise NotImplementedError

    def _add_field(self, position: Position, node: FieldNode, field: Field) -> None:
        raise NotImplementedError

    def _replay(self, position: Position, step: Step) -> Position:
        raise NotImplementedError

    def add_typename(self, tree: SelectionTree) -> None:
        """`__typename` for the planner's own needs, first in `tree`, under its own key."""
        tree.add_field(TYPENAME, self.added.alias(TYPENAME), first=True, rank=-1)

    def _is_interface_object(self, type_name: str, service: str) -> bool:
        named = self.supergraph.types.get(type_name)
        return isinstance(named, CompositeType) and named.is_interface_object_in(service)

    # choosing where to go ----------------------------------------------------------------

    def _jump(self, position: Position, node: FieldNode, field: Field) -> None:
        source = position.group.service
        where = f"{position.parent_type}.{field.name}"
        if position.anchor is None:
            raise PlanningError(
                f"cannot reach {where} from subgraph {source!r}: no entity above it"
            )
        found = next(
            (
                (anchor, destination)
                for anchor in position.anchor.chain()
                if (destination := self._destination(position, anchor, field)) is not None
            ),
            None,
        )
        if found is None:
            raise PlanningError(
                f"cannot reach {where} from subgraph {source!r}: no subgraph resolving it has a "
                f"key of an entity above it that {source!r} can reach"
            )
        anchor, destination = found
        entered = self._follow(position, anchor, destination)
        for step in anchor.steps:
            entered = self._replay(entered, step)
        named = self.supergraph.composite(entered.parent_type)
        if not self._resolvable(entered, named, destination.field, requirement_met=True):
            raise PlanningError(
                f"subgraph {destination.target!r} cannot resolve {named.name}.{field.name}"
            )
        self._add_field(entered, node, destination.field)

    def _destination(self, position: Position, anchor: Anchor, field: Field) -> Destination | None:
        anchor_type = anchor.position.parent_type
        source = position.group.service
        candidates = [
            Destination(route, anchor_type, field)
            for target in field.resolving_graphs
            if target != source and self._steps_resolve(anchor, target)
            if (route := key_route(self.supergraph, anchor_type, source, target))
        ]
        if self._requires_in(source, field) and not anchor.steps:
            # The subgraph resolves the field itself, but only from a representation carrying
            # its requirement: back into the same subgraph through one of its own keys.
            key = usable_key(self.supergraph, anchor_type, source, source)
            if key is not None:
                candidates.append(Destination((Hop(source, key),), anchor_type, field))
        if not candidates:
            # No key the source knows whole: gather one from several subgraphs.
            candidates = [
                Destination((Hop(target, key, assembled=True),), anchor_type, field)
                for target in field.resolving_graphs
                if target != source and self._steps_resolve(anchor, target)
                if (key := assembled_key(self.supergraph, anchor_type, source, target))
            ]
        if self._at_query_root(anchor.position):
            # Query fields are read from any subgraph that has them: fetch the path again
            # from the root of one that resolves the rest, and merge the two answers.
            candidates = [
                Destination((Hop(target, None),), anchor_type, field)
                for target in field.resolving_graphs
                if target != source and self._steps_resolve(anchor, target)
            ]
        if not candidates and not anchor.steps:
            candidates = [
                Destination(route, interface, interface_field)
                for interface, interface_field, target in self._interface_objects(
                    anchor_type, field.name
                )
                if (route := key_route(self.supergraph, interface, source, target))
            ]
        if not candidates:
            return None
        existing = {
            group.service
            for group in self.graph.created_under(position.group, anchor.position.response_path)
        }
        graph_order = list(self.supergraph.graphs)
        return min(
            candidates,
            key=lambda candidate: (
                len(candidate.route),
                candidate.target not in existing,
                graph_order.index(candidate.target),
            ),
        )

    def _at_query_root(self, position: Position) -> bool:
        group = position.group
        return (
            not group.is_entity
            and group.mutation_step == 0
            and position.parent_type == self.supergraph.root_types.get("query")
            and position.tree is group.selections
        )

    @staticmethod
    def _requires_in(service: str, field: Field) -> bool:
        presence = field.graphs.get(service)
        return presence is not None and presence.requires is not None

    def _interface_objects(self, type_name: str, field_name: str) -> list[tuple[str, Field, str]]:
        """(interface, its field, subgraph) for each `@interfaceObject` subgraph resolving
        `field_name` on an interface `type_name` implements."""
        found: list[tuple[str, Field, str]] = []
        for named in self.supergraph.types.values():
            if not isinstance(named, CompositeType) or named.kind != "interface":
                continue
            interface_field = named.fields.get(field_name)
            if interface_field is None or named.name == type_name:
                continue
            if type_name not in self.supergraph.possible_types(named.name):
                continue
            found.extend(
                (named.name, interface_field, graph)
                for graph in interface_field.resolving_graphs
                if named.is_interface_object_in(graph)
            )
        return found

    def _steps_resolve(self, anchor: Anchor, target: str) -> bool:
        parent_type = anchor.position.parent_type
        for step in anchor.steps:
            if step.field is not None:
                if not available_in(self.supergraph, parent_type, step.field.name.value, target):
                    return False
                parent_type = step.field_type
            elif step.fragment_type is not None:
                parent_type = step.fragment_type
        return True

    def _follow(self, position: Position, anchor: Anchor, destination: Destination) -> Position:
        """Enter every hop of the route; the position in the last one, at the anchor."""
        current = anchor.position
        if destination.route[-1].key is None:
            return self.enter_root(destination.target, anchor.position.parent_type)
        for hop in destination.route[:-1]:
            current = self.enter(position, current, hop, None, current.parent_type)
        hop = destination.route[-1]
        requires = destination.field.graphs[hop.graph].requires
        if requires is not None and anchor.steps:
            raise PlanningError(f"@requires on {position.parent_type} below a non-entity path")
        return self.enter(position, current, hop, requires, destination.entered_type)

    def real_interface_position(self, position: Position) -> Position | None:
        """In an `@interfaceObject` subgraph, objects are only known as the interface: enter
        a subgraph that has the real interface (for `__typename`, type conditions)."""
        anchor = position.anchor
        named = self.supergraph.composite(position.parent_type)
        source = position.group.service
        if anchor is None or anchor.steps:
            return None
        for target, presence in named.graphs.items():
            if presence.is_interface_object or target == source:
                continue
            key = usable_key(self.supergraph, named.name, source, target)
            if key is not None:
                return self.enter(position, anchor.position, Hop(target, key), None, named.name)
        return None

    # entering a subgraph -----------------------------------------------------------------

    def enter_root(self, service: str, root_type: str) -> Position:
        """The root fetch of `service` (the one the operation already has, or a new one)."""
        group = next(
            (
                group
                for group in self.graph.groups
                if not group.is_entity and group.service == service and not group.mutation_step
            ),
            None,
        ) or self.graph.new_group(service, is_entity=False)
        root = Position(
            group=group,
            tree=group.selections,
            parent_type=root_type,
            response_path=(),
            conditions=group.conditions,
        )
        return replace(root, anchor=Anchor(root))

    def enter(
        self,
        position: Position,
        source_position: Position,
        hop: Hop,
        requires: FieldSet | None,
        entered_type: str,
    ) -> Position:
        """The entity fetch to `hop.graph` for the entity at `source_position` (after planning
        `requires` there): its position at the entity, as the target knows it."""
        anchor_type = source_position.parent_type
        target = hop.graph
        assert hop.key is not None, "a root hop is entered by enter_root"
        key = hop.key.fields.selections
        rank = list(self.supergraph.graphs).index(target)
        if not _is_entity_root(source_position):
            # At the root of an entity fetch the type is already known: it was sent.
            self.add_typename(source_position.tree)
        # What the representation needs beyond what the source fetch selects: the requirement,
        # and a key the source does not know whole; both are planned like queried fields.
        needed = requires.selections if requires is not None else ()
        if hop.assembled:
            needed = (*key, *needed)
        else:
            add_field_set(source_position.tree, key, self.added, first=True, rank=rank)
        dependencies: list[FetchGroup] = []
        if needed:
            self.requirement_groups.append([])
            self.walk(
                replace(
                    source_position,
                    conditions=position.conditions,
                    anchor=Anchor(source_position),
                ),
                field_set_nodes(needed, self.added),
            )
            dependencies = sorted(self.requirement_groups.pop(), key=lambda group: group.id)
        child = self._entity_group(position, source_position, target, dependencies, requires)
        if self.requirement_groups and child not in self.requirement_groups[-1]:
            self.requirement_groups[-1].append(child)
        self._representation(child, anchor_type, hop, requires, bool(dependencies))
        interface_object = self._is_interface_object(entered_type, target)
        if interface_object:
            self._rename_typename(child, anchor_type, entered_type)
        fragment = child.selections.add_fragment(entered_type)
        if (
            id(source_position.tree) in self.typename_trees and not interface_object
        ) or self._is_interface_object(anchor_type, source_position.group.service):
            self.add_typename(fragment.children)
        root = Position(
            group=child,
            tree=fragment.children,
            parent_type=entered_type,
            response_path=source_position.response_path,
            conditions=position.conditions,
        )
        return replace(root, anchor=Anchor(root))

    def _representation(
        self,
        child: FetchGroup,
        anchor_type: str,
        hop: Hop,
        requires: FieldSet | None,
        has_dependencies: bool,
    ) -> None:
        assert hop.key is not None, "a root hop is entered by enter_root"
        key = hop.key.fields.selections
        fragment = child.requires.add_fragment(anchor_type)
        fragment.children.add_field(TYPENAME, self.added.alias(TYPENAME))
        # Apollo lists required fields before the key when the requirement took fetches of its
        # own, or when this fetch itself serves a requirement; after it otherwise.
        required_first = requires is not None and (
            has_dependencies or bool(self.requirement_groups)
        )
        if not required_first:
            add_field_set(fragment.children, key, self.added, first=False)
        if requires is not None:
            add_field_set(fragment.children, requires.selections, self.added, first=False)
        add_field_set(fragment.children, key, self.added, first=False)

    def _rename_typename(self, child: FetchGroup, anchor_type: str, interface: str) -> None:
        """An `@interfaceObject` subgraph knows the entity only as the interface: send
        `__typename` as the interface's name (Apollo's input rewrite)."""
        for object_type in self.supergraph.possible_types(anchor_type):
            if object_type == interface:
                continue
            rewrite = ValueSetter((TYPE_CONDITION.format(object_type), "__typename"), interface)
            if rewrite not in child.input_rewrites:
                child.input_rewrites.append(rewrite)

    def _entity_group(
        self,
        position: Position,
        source_position: Position,
        target: str,
        dependencies: list[FetchGroup],
        requires: FieldSet | None,
    ) -> FetchGroup:
        parent = source_position.group
        for group in self.graph.created_under(parent, source_position.response_path):
            if (
                group.service == target
                and group.is_entity
                and group.parents == [parent]
                and group.conditions == position.conditions
                and group.dependencies == dependencies
                and not self._representation_conflicts(group, requires)
            ):
                return group
        group = self.graph.new_group(
            target,
            is_entity=True,
            merge_path=source_position.response_path,
            conditions=position.conditions,
            parent=parent,
            mutation_step=parent.mutation_step,
        )
        group.dependencies = list(dependencies)
        return group

    def _representation_conflicts(self, group: FetchGroup, requires: FieldSet | None) -> bool:
        """Whether `requires` needs a field the group's representations already carry read
        from another response key (other arguments): that requirement gets its own fetch."""
        if requires is None:
            return False
        needed = {
            selection.name: added_alias(selection, self.added)
            for selection in requires.selections
            if isinstance(selection, FieldSelection)
        }
        return representations_conflict(needed, group.sent_fields())


def _is_entity_root(position: Position) -> bool:
    group = position.group
    return group.is_entity and any(
        isinstance(entry, FragmentEntry) and entry.children is position.tree
        for entry in group.selections.entries.values()
    )
