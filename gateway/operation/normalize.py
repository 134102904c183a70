"""Normalization: fragments inlined, literal `@skip`/`@include` applied (see `prepared.py`).

One pass over the chosen operation. Variable conditions stay on their selection for the
planner (`Condition` nodes) and the executor (response shaping).
"""

from __future__ import annotations

from collections.abc import Mapping

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
)


def normalize_selection_set(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> SelectionSetNode:
    return _Normalizer(fragments).selection_set(selection_set)


class _Normalizer:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        # A fragment spread many times is normalized once; nodes are immutable, so sharing is safe.
        self.normalized_fragments: dict[str, SelectionSetNode] = {}

    def selection_set(self, selection_set: SelectionSetNode) -> SelectionSetNode:
        selections: list[SelectionNode] = []
        for selection in selection_set.selections:
            kept = self.selection(selection)
            if kept is not None:
                selections.append(kept)
        return SelectionSetNode(selections=tuple(selections))

    def selection(self, selection: SelectionNode) -> SelectionNode | None:
        directives = remaining_directives(selection.directives or ())
        if directives is None:
            return None
        if isinstance(selection, FieldNode):
            return FieldNode(
                alias=selection.alias,
                name=selection.name,
                arguments=selection.arguments,
                directives=directives,
                selection_set=(
                    self.selection_set(selection.selection_set) if selection.selection_set else None
                ),
            )
        if isinstance(selection, InlineFragmentNode):
            return InlineFragmentNode(
                type_condition=selection.type_condition,
                directives=directives,
                selection_set=self.selection_set(selection.selection_set),
            )
        assert isinstance(selection, FragmentSpreadNode)
        name = selection.name.value
        fragment = self.fragments[name]
        if name not in self.normalized_fragments:
            self.normalized_fragments[name] = self.selection_set(fragment.selection_set)
        return InlineFragmentNode(
            type_condition=fragment.type_condition,
            directives=directives,
            selection_set=self.normalized_fragments[name],
        )


def remaining_directives(
    directives: tuple[DirectiveNode, ...],
) -> tuple[DirectiveNode, ...] | None:
    """The directives left once literal skip/include are applied; None to drop the selection."""
    kept: list[DirectiveNode] = []
    for directive in directives:
        name = directive.name.value
        if name not in ("skip", "include"):
            kept.append(directive)
            continue
        condition = next(
            (
                argument.value
                for argument in directive.arguments or ()
                if argument.name.value == "if"
            ),
            None,
        )
        if not isinstance(condition, BooleanValueNode):
            kept.append(directive)
        elif condition.value == (name == "skip"):
            return None
    return tuple(kept)
