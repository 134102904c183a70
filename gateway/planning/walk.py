"""Stage 1: walk the operation and assign every selection to a fetch group.

Greedy: a field stays in the current group's subgraph when that subgraph can resolve it
(honouring `@external`, `@provides` on the path, `@override`, per-graph type membership);
otherwise the walk jumps through entity fetches from the nearest entity above it (the
*anchor*) to a subgraph that resolves it (`entity_jumps`), after planning the field's
`@requires` there. A requiring fetch waits for every fetch its requirement's walk put fields
into, whether that walk created the fetch or reused one (e.g. `price` from a products fetch
the client's own fields already needed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from graphql import (
    FieldNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    SelectionNode,
    SelectionSetNode,
)

from gateway.planning.added_fields import AddedFieldKeys
from gateway.planning.entity_jumps import EntityJumps
from gateway.planning.errors import PlanningError
from gateway.planning.fetch_graph import FetchGraph, FetchGroup
from gateway.planning.keys import available_in
from gateway.planning.positions import (
    Anchor,
    Position,
    Step,
    conditions_of,
    list_depth,
    merge_conditions,
    named_type,
    provided_under_field,
    provided_under_fragment,
)
from gateway.supergraph import CompositeType, Field, FieldSelection, FieldSetSelection, Supergraph


class Walker(EntityJumps):
    def __init__(self, supergraph: Supergraph, graph: FetchGraph, added: AddedFieldKeys) -> None:
        self.supergraph = supergraph
        self.graph = graph
        self.added = added
        # One list per `@requires` field set being planned (innermost last): the entity
        # groups its walk put fields into, new or reused, which the requiring fetch waits for.
        self.requirement_groups: list[list[FetchGroup]] = []
        # Selection trees where the client asked for `__typename`: an entity fetch out of one
        # asks for it too, as Apollo's plans do.
        self.typename_trees: set[int] = set()

    # positions ---------------------------------------------------------------------------

    def root_position(self, group: FetchGroup, root_type: str) -> Position:
        position = Position(
            group=group,
            tree=group.selections,
            parent_type=root_type,
            response_path=(),
            conditions=group.conditions,
        )
        return replace(position, anchor=Anchor(position))

    def walk(self, position: Position, selections: Iterable[SelectionNode]) -> None:
        selections = list(selections)
        if any(
            isinstance(selection, FieldNode)
            and selection.name.value == "__typename"
            and selection.alias is None
            and not selection.directives
            for selection in selections
        ):
            self.typename_trees.add(id(position.tree))
        for selection in self.single_option_first(position, selections):
            if isinstance(selection, FieldNode):
                self.field(position, selection)
            elif isinstance(selection, InlineFragmentNode):
                self.fragment(position, selection)
            else:
                raise PlanningError("fragment spreads must be inlined before planning")

    def single_option_first(
        self, position: Position, selections: list[SelectionNode]
    ) -> list[SelectionNode]:
        """Apollo settles the fields only one subgraph can resolve before those several can
        (`@shareable`), which shows in the order of a fetch's selections; do the same."""
        if position.group.is_entity or any(
            not isinstance(selection, FieldNode) for selection in selections
        ):
            return selections
        # Partitioned by position, not by `in`: AST nodes compare deeply, which made this
        # quadratic in the number of (aliased) fields.
        single_option = [self._has_single_option(position.parent_type, s) for s in selections]
        return [s for s, single in zip(selections, single_option, strict=True) if single] + [
            s for s, single in zip(selections, single_option, strict=True) if not single
        ]

    def _has_single_option(self, parent_type: str, selection: SelectionNode) -> bool:
        if not isinstance(selection, FieldNode):
            return True
        named = self.supergraph.types.get(parent_type)
        if not isinstance(named, CompositeType) or selection.name.value not in named.fields:
            return True
        field = named.fields[selection.name.value]
        is_key = any(
            field.name in key.fields.field_names()
            for presence in named.graphs.values()
            for key in presence.keys
        )
        if len(field.resolving_graphs) <= 1 or is_key:
            return True
        if selection.selection_set is None:
            return False
        return any(
            self._has_single_option(field.named_type, nested)
            for nested in selection.selection_set.selections
        )

    # fragments ---------------------------------------------------------------------------

    def fragment(self, position: Position, node: InlineFragmentNode) -> None:
        type_condition = node.type_condition.name.value if node.type_condition else None
        directives = tuple(node.directives or ())
        if type_condition == position.parent_type:
            type_condition = None
        if type_condition is None and not directives:
            self.walk(position, node.selection_set.selections)
            return
        service = position.group.service
        if type_condition is not None and self._is_interface_object(position.parent_type, service):
            # Only a subgraph with the real interface knows which implementation an object is.
            real = self.real_interface_position(position)
            if real is not None:
                self.fragment(real, node)
            return
        if type_condition is not None and not self._is_interface_object(type_condition, service):
            split = self._split(position, type_condition)
            if split is not None:
                # One fragment per object type the client's fragment matches, as the subgraph
                # knows them (none: no object it returns here can match).
                for object_type in split:
                    self.fragment(position, _on(object_type, node))
                return
        entry = position.tree.add_fragment(type_condition, directives)
        inner_type = type_condition or position.parent_type
        inner = Position(
            group=position.group,
            tree=entry.children,
            parent_type=inner_type,
            response_path=position.response_path,
            conditions=merge_conditions(position.conditions, conditions_of(directives)),
            provided=provided_under_fragment(position.provided, inner_type),
        )
        step = Step(fragment_type=type_condition, directives=directives)
        inner = replace(inner, anchor=self._anchor(inner, position, step))
        self.walk(inner, node.selection_set.selections)

    def _split(self, position: Position, type_condition: str) -> list[str] | None:
        """None when `... on type_condition` can be sent to the position's subgraph as it is;
        else the object types to send it as instead. The client's fragment matches by the
        supergraph's membership; the subgraph applies its own, and knows the position as its
        own type: where the two disagree, only per-object fragments select the same objects."""
        service = position.group.service
        returned = self.supergraph.possible_types(
            position.local_type or position.parent_type, service
        )
        matching = [
            object_type
            for object_type in self.supergraph.possible_types(type_condition)
            if object_type in returned
        ]
        if not self.supergraph.is_abstract(type_condition):
            return None if matching else []
        condition = self.supergraph.types.get(type_condition)
        known_there = set(self.supergraph.possible_types(type_condition, service))
        if (
            matching
            and condition is not None
            and service in condition.graphs
            and {object_type for object_type in returned if object_type in known_there}
            == set(matching)
        ):
            return None
        return matching

    def _anchor(self, inner: Position, outer: Position, step: Step) -> Anchor | None:
        named = self.supergraph.types.get(inner.parent_type)
        if (
            isinstance(named, CompositeType)
            and inner.group.service in named.graphs
            and any(named.keys_in(graph) for graph in named.graphs)
        ):
            return Anchor(inner, outer=outer.anchor.extended(step) if outer.anchor else None)
        if outer.anchor is None:
            return None
        return outer.anchor.extended(step)

    # fields ------------------------------------------------------------------------------

    def field(self, position: Position, node: FieldNode) -> None:
        name = node.name.value
        directives = tuple(node.directives or ())
        if name == "__typename":
            position.tree.add_field(name, node.alias.value if node.alias else None, (), directives)
            if self._is_interface_object(position.parent_type, position.group.service):
                self.real_interface_position(position)
            return
        named = self.supergraph.types.get(position.parent_type)
        if not isinstance(named, CompositeType) or name not in named.fields:
            raise PlanningError(f"{position.parent_type} has no field {name}")
        field = named.fields[name]
        per_type = named.kind == "interface" and not self._implementations_agree(
            position, named, field
        )
        if not per_type and self._resolvable(position, named, field):
            self._add_field(position, node, field)
            return
        if per_type or (
            named.kind == "interface" and not any(named.keys_in(g) for g in field.resolving_graphs)
        ):
            self._explode_interface(position, node)
            return
        self._jump(position, node, field)

    def _implementations_agree(
        self, position: Position, named: CompositeType, field: Field
    ) -> bool:
        """Whether every implementation the subgraph can return here resolves the interface
        field there too: one whose field was `@override`n away or is `@external` there must be
        asked for it by type, where its field lives."""
        service = position.group.service
        if named.is_interface_object_in(service) or self._provided(position, field.name):
            return True
        for object_type in self.supergraph.possible_types(named.name, service):
            implementation = self.supergraph.types.get(object_type)
            if not isinstance(implementation, CompositeType):
                continue
            own = implementation.fields.get(field.name)
            presence = own.graphs.get(service) if own is not None else None
            if presence is not None and not presence.resolves:
                return False
        return True

    @staticmethod
    def _provided(position: Position, field_name: str) -> bool:
        return position.provided is not None and any(
            isinstance(selection, FieldSelection) and selection.name == field_name
            for selection in position.provided
        )

    def _resolvable(
        self,
        position: Position,
        named: CompositeType,
        field: Field,
        *,
        requirement_met: bool = False,
    ) -> bool:
        """Whether the position's subgraph can resolve `field` in its current fetch. A field
        with `@requires` there only can once its requirement travels in the representation:
        in an entity fetch entered for it (`requirement_met`), never in place."""
        service = position.group.service
        presence = field.graphs.get(service)
        if presence is None or service not in named.graphs:
            return False
        if presence.requires is not None and not requirement_met:
            return False
        if presence.resolves:
            return True
        if position.provided is not None and any(
            isinstance(selection, FieldSelection) and selection.name == field.name
            for selection in position.provided
        ):
            return True
        return available_in(self.supergraph, named.name, field.name, service) and not (
            presence.used_overridden
        )

    def _add_field(self, position: Position, node: FieldNode, field: Field) -> None:
        service = position.group.service
        alias = node.alias.value if node.alias else None
        directives = tuple(node.directives or ())
        composite = self.supergraph.is_composite(field.named_type)
        entry = position.tree.add_field(
            field.name, alias, tuple(node.arguments or ()), directives, composite=composite
        )
        if entry.children is None or node.selection_set is None:
            return
        if self._abstract_in(field.named_type, service) or _selects_nothing(node.selection_set):
            # Also when `@skip`/`@include` left the client nothing to select: the object is
            # still answered (`{}`), and a fetch cannot select nothing.
            self.add_typename(entry.children)
        presence = field.graphs.get(service)
        provided: tuple[FieldSetSelection, ...] | None
        if presence is not None and presence.provides is not None:
            provided = presence.provides.selections
        else:
            provided = provided_under_field(position.provided, field.name)
        depth = list_depth(field.type)
        inner = Position(
            group=position.group,
            tree=entry.children,
            parent_type=field.named_type,
            response_path=(*position.response_path, alias or field.name, *("@",) * depth),
            conditions=merge_conditions(position.conditions, conditions_of(directives)),
            provided=provided,
            local_type=self._local_type(field, service),
        )
        step = Step(field=node, field_type=field.named_type, list_depth=depth)
        inner = replace(inner, anchor=self._anchor(inner, position, step))
        self.walk(inner, node.selection_set.selections)

    @staticmethod
    def _local_type(field: Field, service: str) -> str | None:
        presence = field.graphs.get(service)
        if presence is None or presence.type is None:
            return None
        local = named_type(presence.type)
        return local if local != field.named_type else None

    def _abstract_in(self, type_name: str, service: str) -> bool:
        """Abstract as `service` knows it: an `@interfaceObject` is an object type there, and
        its `__typename` would only name the interface."""
        return self.supergraph.is_abstract(type_name) and not self._is_interface_object(
            type_name, service
        )

    def _explode_interface(self, position: Position, node: FieldNode) -> None:
        """An interface field the subgraph cannot resolve on the interface: ask each
        implementation for it."""
        for object_type in self.supergraph.possible_types(
            position.parent_type, position.group.service
        ):
            self.fragment(
                position,
                InlineFragmentNode(
                    type_condition=NamedTypeNode(name=NameNode(value=object_type)),
                    directives=(),
                    selection_set=SelectionSetNode(selections=(node,)),
                ),
            )

    def _replay(self, position: Position, step: Step) -> Position:
        if step.field is not None:
            node = step.field
            entry = position.tree.add_field(
                node.name.value,
                node.alias.value if node.alias else None,
                tuple(node.arguments or ()),
                tuple(node.directives or ()),
                composite=True,
            )
            assert entry.children is not None
            if self._abstract_in(step.field_type, position.group.service):
                self.add_typename(entry.children)
            key = entry.response_key
            field = self.supergraph.field(position.parent_type, node.name.value)
            return replace(
                position,
                tree=entry.children,
                parent_type=step.field_type,
                response_path=(*position.response_path, key, *("@",) * step.list_depth),
                local_type=self._local_type(field, position.group.service),
            )
        fragment = position.tree.add_fragment(step.fragment_type, step.directives)
        if step.fragment_type is None:
            return replace(position, tree=fragment.children)
        return replace(
            position, tree=fragment.children, parent_type=step.fragment_type, local_type=None
        )


def _on(type_name: str, node: InlineFragmentNode) -> InlineFragmentNode:
    """`node` with its type condition replaced by `type_name`."""
    return InlineFragmentNode(
        type_condition=NamedTypeNode(name=NameNode(value=type_name)),
        directives=node.directives,
        selection_set=node.selection_set,
    )


def _selects_nothing(selection_set: SelectionSetNode) -> bool:
    """No field left (`@skip`/`@include` removed them all, fragments included)."""
    return all(
        isinstance(selection, InlineFragmentNode) and _selects_nothing(selection.selection_set)
        for selection in selection_set.selections
    )
