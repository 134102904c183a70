"""Response keys of the fields the planner adds for its own needs.

The planner selects entity keys (nested ones too), `@requires` fields and `__typename` beside
the client's fields, in the same fetches, and their values are merged into the same objects.
A client may use one of those names as the response key of another field (`id: name`,
`slug: name`, `__typename: name`): fetched as they are, the subgraph refuses the operation (one
response key, two fields) or one value overwrites the other in the merged object, and the
representations carry the client's value as the key. Such names are *contested*: wherever the
planner adds one, it fetches it under an alias no client field uses, and whatever reads it back
(representations, `__typename` for abstract types) reads that alias. Uncontested names are
fetched as they are, as Apollo's plans show them.

Contested is decided once per operation, over all its selection sets, so the fetch that selects
a key and the fetch whose representations read it agree on where it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import FieldNode, InlineFragmentNode, SelectionSetNode

TYPENAME = "__typename"
ALIAS_PREFIX = "sb_"


@dataclass(frozen=True)
class AddedFieldKeys:
    # Response keys some client field uses for another field, or with arguments.
    contested: frozenset[str] = frozenset()
    # Every response key of the client's operation: an alias must differ from all of them.
    taken: frozenset[str] = frozenset()

    @classmethod
    def of(cls, selection_set: SelectionSetNode) -> AddedFieldKeys:
        contested: set[str] = set()
        taken: set[str] = set()
        pending = [selection_set]
        while pending:
            for selection in pending.pop().selections:
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    taken.add(key)
                    if key != selection.name.value or selection.arguments:
                        contested.add(key)
                    if selection.selection_set is not None:
                        pending.append(selection.selection_set)
                elif isinstance(selection, InlineFragmentNode):
                    pending.append(selection.selection_set)
        return cls(frozenset(contested), frozenset(taken))

    def alias(self, name: str) -> str | None:
        """The alias an added field `name` is fetched under; None when it needs none."""
        if name not in self.contested:
            return None
        alias = ALIAS_PREFIX + name.lstrip("_")
        while alias in self.taken:
            alias += "_"
        return alias

    @property
    def typename(self) -> str:
        """Where an added `__typename` is found in the merged response."""
        return self.alias(TYPENAME) or TYPENAME
