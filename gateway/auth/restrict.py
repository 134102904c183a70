"""`restrict`: the operation without the fields the caller may not read — the pass that runs
before planning, so unauthorized fields never reach a subgraph fetch.

A level left with no selection keeps `__typename`, so its parent still answers an object (whose
removed fields come back null). A level that lost a field also selects `__typename`: where the
field sat in a type-conditioned fragment, the reporter needs each object's type to know whether
the field applied to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Set
from dataclasses import dataclass, replace

from graphql import (
    FieldNode,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
)

from gateway.auth.requirements import GuardedField, OperationRequirements
from gateway.operation.prepared import PreparedOperation
from gateway.supergraph.model import Authorization

TYPENAME = FieldNode(name=NameNode(value="__typename"))


@dataclass(frozen=True)
class AuthorizedOperation:
    """What runs for one (operation, denied requirements): the operation to plan, and the
    fields taken out of it (reported null, with an error at each path they appear)."""

    operation: PreparedOperation
    denied: tuple[GuardedField, ...] = ()


def restrict(
    operation: PreparedOperation,
    requirements: OperationRequirements,
    denied: Set[Authorization],
) -> AuthorizedOperation:
    guarded = {(id(field.node), field.steps): field for field in requirements.guarded}
    removed: list[GuardedField] = []

    def rebuild(selection_set: SelectionSetNode, steps: tuple[str, ...]) -> SelectionSetNode:
        kept: list[SelectionNode] = []
        changed = False
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                path = (*steps, (selection.alias or selection.name).value)
                field = guarded.get((id(selection), path))
                if field is not None and not field.requirements.isdisjoint(denied):
                    removed.append(field)
                    changed = True
                    continue
                if selection.selection_set is not None:
                    inner = rebuild(selection.selection_set, path)
                    if inner is not selection.selection_set:
                        selection = _with_selections(selection, inner)
                        changed = True
                kept.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                inner = rebuild(selection.selection_set, steps)
                if inner is not selection.selection_set:
                    changed = True
                    if len(inner.selections) == 1 and inner.selections[0] is TYPENAME:
                        continue
                    selection = _with_selections(selection, inner)
                kept.append(selection)
            else:
                kept.append(selection)
        if not changed:
            return selection_set
        kept.append(TYPENAME)
        return SelectionSetNode(selections=tuple(kept))

    selection_set = rebuild(operation.selection_set, ())
    if not removed:
        return AuthorizedOperation(operation)
    definition = operation.definition
    restricted_definition = OperationDefinitionNode(
        operation=definition.operation,
        name=definition.name,
        variable_definitions=definition.variable_definitions,
        directives=definition.directives,
        selection_set=selection_set,
    )
    # Denied requirements change the operation; the hash (the plan cache's key) says which.
    denied_text = "|".join(sorted(repr(requirement) for requirement in denied))
    restricted_hash = hashlib.sha256(f"{operation.hash}\n{denied_text}".encode()).hexdigest()
    restricted = replace(
        operation,
        definition=restricted_definition,
        selection_set=selection_set,
        hash=restricted_hash,
    )
    return AuthorizedOperation(restricted, tuple(removed))


def _with_selections(
    node: FieldNode | InlineFragmentNode, selection_set: SelectionSetNode
) -> FieldNode | InlineFragmentNode:
    if isinstance(node, FieldNode):
        return FieldNode(
            alias=node.alias,
            name=node.name,
            arguments=node.arguments,
            directives=node.directives,
            selection_set=selection_set,
        )
    return InlineFragmentNode(
        type_condition=node.type_condition,
        directives=node.directives,
        selection_set=selection_set,
    )
