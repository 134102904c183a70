"""Stage 1: walk the operation and assign every selection to a fetch group.

Greedy: a field stays in the current group's subgraph when that subgraph can resolve it
(honouring `@external`, `@provides` on the path, `@override`, per-graph type membership);
otherwise the walk jumps through an entity fetch from the nearest entity above it (the
*anchor*) to a subgraph that resolves it, via a key the current subgraph can supply, after
planning the field's `@requires` in the current group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from graphql import (
    DirectiveNode,
    FieldNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    SelectionNode,
    SelectionSetNode,
    VariableNode,
)

from gateway.planning.errors import PlanningError
from gateway.planning.fetch_graph import Conditions, FetchGraph, FetchGroup
from gateway.planning.keys import add_field_set, available_in, field_set_nodes, usable_key
from gateway.planning.selection_tree import SelectionTree
from gateway.supergraph import (
    CompositeType,
    Field,
    FieldSelection,
    FieldSetSelection,
    FragmentSelection,
    Supergraph,
)


@dataclass(frozen=True)
class Step:
    """One step from an anchor entity down to the current position: a field or a fragment."""

    field: FieldNode | None = None
    field_type: str = ""
    list_depth: int = 0
    fragment_type: str | None = None
    directives: tuple[DirectiveNode, ...] = ()


@dataclass(frozen=True)
class Position:
    group: FetchGroup
    tree: SelectionTree
    parent_type: str
    response_path: tuple[str, ...]
    conditions: Conditions
    anchor: Anchor | None = None
    provided: tuple[FieldSetSelection, ...] | None = None


@dataclass(frozen=True)
class Anchor:
    position: Position
    steps: tuple[Step, ...] = ()


def list_depth(type_text: str) -> int:
    return type_text.count("[")


def conditions_of(directives: Iterable[DirectiveNode]) -> Conditions:
    found: list[tuple[str, bool]] = []
    for directive in directives:
        if directive.name.value not in ("skip", "include"):
            continue
        for argument in directive.arguments or ():
            if argument.name.value == "if" and isinstance(argument.value, VariableNode):
                found.append((argument.value.name.value, directive.name.value == "include"))
    return tuple(found)


def _merge_conditions(outer: Conditions, inner: Conditions) -> Conditions:
    return outer + tuple(condition for condition in inner if condition not in outer)


class Walker:
    def __init__(self, supergraph: Supergraph, graph: FetchGraph) -> None:
        self.supergraph = supergraph
        self.graph = graph
        # How deep the walk is inside `@requires` field sets being planned.
        self.requirement_depth = 0
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
        single = [s for s in selections if self._has_single_option(position.parent_type, s)]
        return single + [s for s in selections if s not in single]

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
        if type_condition is not None:
            runtime = set(self.supergraph.possible_types(type_condition, service))
            if self.supergraph.is_abstract(position.parent_type):
                runtime &= set(self.supergraph.possible_types(position.parent_type, service))
            if not runtime and not self._is_interface_object(type_condition, service):
                # No object this subgraph returns here can match: the fragment selects nothing.
                return
        entry = position.tree.add_fragment(type_condition, directives)
        inner_type = type_condition or position.parent_type
        inner = Position(
            group=position.group,
            tree=entry.children,
            parent_type=inner_type,
            response_path=position.response_path,
            conditions=_merge_conditions(position.conditions, conditions_of(directives)),
            provided=_provided_under_fragment(position.provided, inner_type),
        )
        step = Step(fragment_type=type_condition, directives=directives)
        inner = replace(inner, anchor=self._anchor(inner, position, step))
        self.walk(inner, node.selection_set.selections)

    def _is_interface_object(self, type_name: str, service: str) -> bool:
        named = self.supergraph.types.get(type_name)
        return isinstance(named, CompositeType) and named.is_interface_object_in(service)

    def _anchor(self, inner: Position, outer: Position, step: Step) -> Anchor | None:
        named = self.supergraph.types.get(inner.parent_type)
        if (
            isinstance(named, CompositeType)
            and inner.group.service in named.graphs
            and any(named.keys_in(graph) for graph in named.graphs)
        ):
            return Anchor(inner)
        if outer.anchor is None:
            return None
        return Anchor(outer.anchor.position, (*outer.anchor.steps, step))

    # fields ------------------------------------------------------------------------------

    def field(self, position: Position, node: FieldNode) -> None:
        name = node.name.value
        directives = tuple(node.directives or ())
        if name == "__typename":
            position.tree.add_field(name, node.alias.value if node.alias else None, (), directives)
            if self._is_interface_object(position.parent_type, position.group.service):
                self._typename_from_interface(position)
            return
        named = self.supergraph.types.get(position.parent_type)
        if not isinstance(named, CompositeType) or name not in named.fields:
            raise PlanningError(f"{position.parent_type} has no field {name}")
        field = named.fields[name]
        if self._resolvable(position, named, field):
            self._add_field(position, node, field)
            return
        if named.kind == "interface" and not any(named.keys_in(g) for g in field.resolving_graphs):
            self._explode_interface(position, node)
            return
        self._jump(position, node, field)

    def _resolvable(self, position: Position, named: CompositeType, field: Field) -> bool:
        service = position.group.service
        presence = field.graphs.get(service)
        if presence is None or service not in named.graphs:
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
        if self.supergraph.is_abstract(field.named_type):
            entry.children.add_field("__typename", first=True, rank=-1)
        presence = field.graphs.get(service)
        provided: tuple[FieldSetSelection, ...] | None
        if presence is not None and presence.provides is not None:
            provided = presence.provides.selections
        else:
            provided = _provided_under_field(position.provided, field.name)
        depth = list_depth(field.type)
        inner = Position(
            group=position.group,
            tree=entry.children,
            parent_type=field.named_type,
            response_path=(*position.response_path, alias or field.name, *("@",) * depth),
            conditions=_merge_conditions(position.conditions, conditions_of(directives)),
            provided=provided,
        )
        step = Step(field=node, field_type=field.named_type, list_depth=depth)
        inner = replace(inner, anchor=self._anchor(inner, position, step))
        self.walk(inner, node.selection_set.selections)

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

    # entity jumps ------------------------------------------------------------------------

    def _jump(self, position: Position, node: FieldNode, field: Field) -> None:
        anchor = position.anchor
        source = position.group.service
        where = f"{position.parent_type}.{field.name}"
        if anchor is None:
            raise PlanningError(
                f"cannot reach {where} from subgraph {source!r}: no entity above it"
            )
        anchor_type = anchor.position.parent_type
        targets = [graph for graph in field.resolving_graphs if graph != source]
        existing = {
            group.service
            for group in self.graph.groups
            if position.group in group.parents and group.merge_path == anchor.position.response_path
        }
        ordered_graphs = list(self.supergraph.graphs)
        targets.sort(key=lambda graph: (graph not in existing, ordered_graphs.index(graph)))
        for target in targets:
            key = usable_key(self.supergraph, anchor_type, source, target)
            if key is None or not self._steps_resolve(anchor, target):
                continue
            self._jump_to(position, anchor, target, key.fields.selections, node, field)
            return
        raise PlanningError(
            f"cannot reach {where} from subgraph {source!r}: no subgraph resolving it has a key "
            f"of {anchor_type} that {source!r} can supply"
        )

    def _typename_from_interface(self, position: Position) -> None:
        """A subgraph holding an interface as `@interfaceObject` only knows `__typename` as
        the interface's name: ask a subgraph that has the real interface for it."""
        anchor = position.anchor
        named = self.supergraph.composite(position.parent_type)
        source = position.group.service
        if anchor is None or anchor.steps:
            return
        for target, presence in named.graphs.items():
            if presence.is_interface_object or target == source:
                continue
            key = usable_key(self.supergraph, named.name, source, target)
            if key is not None:
                self._jump_to(position, anchor, target, key.fields.selections, None, None)
                return

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

    def _jump_to(
        self,
        position: Position,
        anchor: Anchor,
        target: str,
        key: tuple[FieldSetSelection, ...],
        node: FieldNode | None,
        field: Field | None,
    ) -> None:
        """Jump to `target` for `field` (or, with no field, just for `__typename`)."""
        source_position = anchor.position
        anchor_type = source_position.parent_type
        rank = list(self.supergraph.graphs).index(target)
        source_position.tree.add_field("__typename", first=True, rank=-1)
        add_field_set(source_position.tree, key, first=True, rank=rank)
        requires = field.graphs[target].requires if field is not None else None
        dependencies: list[FetchGroup] = []
        if requires is not None:
            if anchor.steps:
                raise PlanningError(f"@requires on {position.parent_type} below a non-entity path")
            created_before = len(self.graph.groups)
            self.requirement_depth += 1
            self.walk(
                replace(
                    source_position,
                    conditions=position.conditions,
                    anchor=Anchor(source_position),
                ),
                field_set_nodes(requires.selections),
            )
            self.requirement_depth -= 1
            dependencies = self.graph.groups[created_before:]
        child = self._entity_group(position, source_position, target, dependencies)
        requires_fragment = child.requires.add_fragment(anchor_type)
        requires_fragment.children.add_field("__typename")
        # Apollo lists required fields before the key when the requirement took fetches of its
        # own, or when this fetch itself serves a requirement; after it otherwise.
        required_first = requires is not None and (bool(dependencies) or self.requirement_depth > 0)
        if not required_first:
            add_field_set(requires_fragment.children, key, first=False)
        if requires is not None:
            child.has_requires = True
            add_field_set(requires_fragment.children, requires.selections, first=False)
        add_field_set(requires_fragment.children, key, first=False)
        fragment = child.selections.add_fragment(anchor_type)
        if id(source_position.tree) in self.typename_trees or self._is_interface_object(
            anchor_type, source_position.group.service
        ):
            fragment.children.add_field("__typename", first=True, rank=-1)
        root = Position(
            group=child,
            tree=fragment.children,
            parent_type=anchor_type,
            response_path=source_position.response_path,
            conditions=position.conditions,
        )
        current = replace(root, anchor=Anchor(root))
        for step in anchor.steps:
            current = self._replay(current, step)
        if node is None or field is None:
            return
        named = self.supergraph.composite(current.parent_type)
        if not self._resolvable(current, named, field):
            raise PlanningError(f"subgraph {target!r} cannot resolve {named.name}.{field.name}")
        self._add_field(current, node, field)

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
            if self.supergraph.is_abstract(step.field_type):
                entry.children.add_field("__typename", first=True, rank=-1)
            key = entry.response_key
            return replace(
                position,
                tree=entry.children,
                parent_type=step.field_type,
                response_path=(*position.response_path, key, *("@",) * step.list_depth),
            )
        fragment = position.tree.add_fragment(step.fragment_type, step.directives)
        return replace(
            position, tree=fragment.children, parent_type=step.fragment_type or position.parent_type
        )

    def _entity_group(
        self,
        position: Position,
        source_position: Position,
        target: str,
        dependencies: list[FetchGroup],
    ) -> FetchGroup:
        parent = source_position.group
        for group in self.graph.groups:
            if (
                group.service == target
                and group.is_entity
                and group.parents == [parent]
                and group.merge_path == source_position.response_path
                and group.conditions == position.conditions
                and group.dependencies == dependencies
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


def _provided_under_field(
    provided: tuple[FieldSetSelection, ...] | None, field_name: str
) -> tuple[FieldSetSelection, ...] | None:
    if provided is None:
        return None
    for selection in provided:
        if isinstance(selection, FieldSelection) and selection.name == field_name:
            return selection.selections
    return None


def _provided_under_fragment(
    provided: tuple[FieldSetSelection, ...] | None, type_name: str
) -> tuple[FieldSetSelection, ...] | None:
    if provided is None:
        return None
    flattened: list[FieldSetSelection] = []
    for selection in provided:
        if isinstance(selection, FragmentSelection):
            if selection.type_condition == type_name:
                flattened.extend(selection.selections)
        else:
            flattened.append(selection)
    return tuple(flattened)

