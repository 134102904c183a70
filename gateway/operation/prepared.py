"""A client operation after the operation stage: parsed, validated, normalized, hashed.

`selection_set` is the normalized form every later stage reads:
- fragment spreads are inlined as inline fragments (no `FragmentSpreadNode` remains);
- `@skip`/`@include` with a literal argument are applied (the selection kept or dropped); with a
  variable they stay on the selection, for the planner to turn into `Condition` nodes and for
  the executor to evaluate when shaping the response;
- aliases are kept as written (the response key of a field is `alias or name`);
- inline fragments whose type condition is the enclosing type are kept (the planner may merge
  them); nothing else is reordered, so response order follows the client's document.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import DocumentNode, OperationDefinitionNode, SelectionSetNode

from gateway.planning.nodes import OperationKind


@dataclass(frozen=True)
class PreparedOperation:
    document: DocumentNode
    definition: OperationDefinitionNode
    kind: OperationKind
    name: str | None
    root_type: str
    selection_set: SelectionSetNode
    hash: str
    # Field selections once fragments are expanded (`size.py`): how much work planning is.
    selections: int = 0
