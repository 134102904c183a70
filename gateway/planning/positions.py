"""Where the walk stands: a position in a fetch group's selection tree, and the entity above
it (the *anchor*) that an entity fetch can start from, with the steps from there down."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graphql import DirectiveNode, FieldNode, VariableNode

from gateway.planning.fetch_graph import Conditions, FetchGroup
from gateway.planning.selection_tree import SelectionTree
from gateway.supergraph import FieldSelection, FieldSetSelection, FragmentSelection


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
    # The type the group's subgraph gives this position when it differs from `parent_type`
    # (`@join__field(type:)`: `featured: Book` there, `featured: Media` in the supergraph).
    local_type: str | None = None


@dataclass(frozen=True)
class Anchor:
    """An entity the walk can leave the current subgraph from, and the steps from it down to
    the current position. `outer` is the anchor that was current when the walk reached this
    entity, its steps ending here: when this entity cannot be handed to a subgraph resolving
    a field (its key is not known where it stands), the walk falls back to the enclosing one."""

    position: Position
    steps: tuple[Step, ...] = ()
    outer: Anchor | None = None

    def extended(self, step: Step) -> Anchor:
        return Anchor(self.position, (*self.steps, step), self.outer)

    def chain(self) -> list[Anchor]:
        """This anchor, then each enclosing one, every one with the steps down to here."""
        anchors = [self]
        steps = self.steps
        outer = self.outer
        while outer is not None:
            steps = (*outer.steps, *steps)
            anchors.append(Anchor(outer.position, steps))
            outer = outer.outer
        return anchors


def list_depth(type_text: str) -> int:
    return type_text.count("[")


def named_type(type_text: str) -> str:
    return type_text.strip("[]!")


def conditions_of(directives: Iterable[DirectiveNode]) -> Conditions:
    found: list[tuple[str, bool]] = []
    for directive in directives:
        if directive.name.value not in ("skip", "include"):
            continue
        for argument in directive.arguments or ():
            if argument.name.value == "if" and isinstance(argument.value, VariableNode):
                found.append((argument.value.name.value, directive.name.value == "include"))
    return tuple(found)


def merge_conditions(outer: Conditions, inner: Conditions) -> Conditions:
    return outer + tuple(condition for condition in inner if condition not in outer)


def provided_under_field(
    provided: tuple[FieldSetSelection, ...] | None, field_name: str
) -> tuple[FieldSetSelection, ...] | None:
    if provided is None:
        return None
    for selection in provided:
        if isinstance(selection, FieldSelection) and selection.name == field_name:
            return selection.selections
    return None


def provided_under_fragment(
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
