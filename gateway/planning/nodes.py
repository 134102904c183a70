"""Query plan nodes: a closed union of frozen dataclasses, printable as `QueryPlan { … }`.

The planner builds them; the executor walks them. Nothing else crosses that boundary.

    PlanNode = Sequence | Parallel | Fetch | Flatten | BatchFetch | Condition | Subscription

`Fetch.requires` is the shape of the entity representations an `_entities` fetch sends (the
`@key` fields, plus `@requires` fields), printed as Apollo prints it:
`{ ... on Product { __typename upc } }`. `Flatten.path` addresses the objects a fetch extends in
the merged response: response keys, with `@` for "every element of this list".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

OperationKind = Literal["query", "mutation", "subscription"]
LIST_MARKER = "@"


@dataclass(frozen=True)
class RequiredField:
    """A field of a representation; `selections` for an object-valued key field. The value is
    read from the merged response at `alias` when set (a required field with arguments is
    fetched under an alias) and sent under `name`, the field the subgraph expects."""

    name: str
    selections: tuple[RequiredSelection, ...] = ()
    alias: str | None = None


@dataclass(frozen=True)
class RequiredFragment:
    """`... on Type { … }`: what a representation of `type_condition` carries."""

    type_condition: str
    selections: tuple[RequiredSelection, ...]


RequiredSelection: TypeAlias = RequiredField | RequiredFragment


@dataclass(frozen=True)
class ValueSetter:
    """Set the value at `path` (field names, `... on T` steps) to `value`; used to rename
    `__typename` between an interface and its implementations for `@interfaceObject`."""

    path: tuple[str, ...]
    value: str


@dataclass(frozen=True)
class KeyRenamer:
    """Rename the response key `path[-1]` to `rename_key_to` in the objects at `path[:-1]`
    (response keys; lists are walked): a field the planner fetched under an alias because its
    type in the subgraph conflicts with a sibling's (`planning/conflicting_fields.py`)."""

    path: tuple[str, ...]
    rename_key_to: str


Rewrite: TypeAlias = ValueSetter | KeyRenamer


@dataclass(frozen=True)
class Fetch:
    service_name: str
    operation: str
    operation_kind: OperationKind = "query"
    operation_name: str | None = None
    variable_usages: tuple[str, ...] = ()
    requires: tuple[RequiredSelection, ...] = ()
    input_rewrites: tuple[ValueSetter, ...] = ()
    output_rewrites: tuple[Rewrite, ...] = ()

    @property
    def is_entity_fetch(self) -> bool:
        return bool(self.requires)


@dataclass(frozen=True)
class Flatten:
    path: tuple[str, ...]
    node: Fetch


@dataclass(frozen=True)
class BatchFetch:
    """Entity fetches to one subgraph that run in the same plan step, sent as one request
    (`passes/batch_fetches.py`): `operation` selects `_entities` once per part, under the alias
    `aliases[i]` with its representations in the variable `representation_variables[i]`; the
    answer is split back and each part merged at its own path."""

    service_name: str
    operation: str
    parts: tuple[Flatten, ...]
    aliases: tuple[str, ...]
    representation_variables: tuple[str, ...]
    operation_name: str | None = None
    variable_usages: tuple[str, ...] = ()
    operation_kind: OperationKind = "query"


@dataclass(frozen=True)
class Sequence:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True)
class Parallel:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True)
class Condition:
    """Run `if_clause` when the boolean variable `variable` is true, else `else_clause`."""

    variable: str
    if_clause: PlanNode | None
    else_clause: PlanNode | None


@dataclass(frozen=True)
class Subscription:
    """Open `primary` on the owning subgraph; run `rest` for every event it yields."""

    primary: Fetch
    rest: PlanNode | None


PlanNode: TypeAlias = Sequence | Parallel | Fetch | Flatten | BatchFetch | Condition | Subscription


@dataclass(frozen=True)
class QueryPlan:
    node: PlanNode | None
    # Where the `__typename` the planner selects is found in the merged response: an alias
    # when the client uses `__typename` as the response key of another field.
    typename_key: str = "__typename"
