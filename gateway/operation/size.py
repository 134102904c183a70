"""How big an operation is once its fragments are expanded, measured without expanding it.

Twenty fragments that each spread the previous one twice are 1.3 KB of text and a million
fields expanded, as the normalized operation, the planner and the response shaping would see
it. `measure` counts the expanded field selections and the expanded nesting with one memoized
result per fragment, so twenty fragments cost twenty steps and the limits refuse such an
operation before anything expands it (Apollo Router's `max_height` counts the same kind of
thing). Fragments are measured in dependency order, so the walk only ever recurses as deep as
one definition's own text, however long a chain of fragments is. Run after validation:
fragments are then known to exist and not to cycle.

`text_nesting` is the deepest nesting of selection sets, lists and input objects as written,
measured iteratively (before validation, which recurses on it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListValueNode,
    Node,
    ObjectValueNode,
    SelectionSetNode,
)

_NESTING = (SelectionSetNode, ListValueNode, ObjectValueNode)


@dataclass(frozen=True)
class Size:
    selections: int  # field selections, each fragment counted wherever it is spread
    nesting: int  # selection sets inside selection sets, fragments inlined


def measure(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> Size:
    sizes: dict[str, Size] = {}
    for name in _dependency_order(selection_set, fragments):
        sizes[name] = _measure(fragments[name].selection_set, sizes)
    return _measure(selection_set, sizes)


def _measure(selection_set: SelectionSetNode, sizes: Mapping[str, Size]) -> Size:
    selections = 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            inner = sizes[selection.name.value]
        elif isinstance(selection, FieldNode):
            selections += 1
            if selection.selection_set is None:
                continue
            inner = _measure(selection.selection_set, sizes)
        else:
            assert isinstance(selection, InlineFragmentNode)
            inner = _measure(selection.selection_set, sizes)
        selections += inner.selections
        deepest = max(deepest, inner.nesting)
    return Size(selections, deepest + 1)


def _dependency_order(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> list[str]:
    """The fragments `selection_set` uses, each after the fragments it spreads."""
    order: list[str] = []
    done: set[str] = set()
    stack: list[tuple[str, bool]] = [(name, False) for name in _spreads(selection_set)]
    while stack:
        name, expanded = stack.pop()
        if name in done:
            continue
        if expanded:
            done.add(name)
            order.append(name)
            continue
        stack.append((name, True))
        stack.extend((inner, False) for inner in _spreads(fragments[name].selection_set))
    return order


def _spreads(selection_set: SelectionSetNode) -> list[str]:
    names: list[str] = []
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                names.append(selection.name.value)
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                stack.append(selection.selection_set)
    return names


def text_nesting(document: DocumentNode) -> int:
    deepest = 0
    stack: list[tuple[Node, int]] = [(document, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, _NESTING):
            depth += 1
            deepest = max(deepest, depth)
        for key in node.keys:
            child = getattr(node, key, None)
            if isinstance(child, Node):
                stack.append((child, depth))
            elif isinstance(child, tuple):
                stack.extend((item, depth) for item in child if isinstance(item, Node))
    return deepest
