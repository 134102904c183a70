"""Satisfiability's moves: where a field can be taken from, given where the path stands.

A path stands at a `Position`: a subgraph, plus what the field that led there `@provides`
(those external fields are local on this path only, as Apollo's query graph copies the type's
node for each `@provides`). From a position a field is taken directly, or after key hops to
other subgraphs; it is usable when it is not external (unless provided), not overridden away
under the override labels the path has chosen, and when its `@requires` selection can itself be
fetched from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gateway.composition.field_sets import FieldSelection, FieldSet, selected_fields
from gateway.composition.merged_model import MergedSchema
from gateway.composition.subgraph_model import Subgraph, SubgraphField, SubgraphType
from gateway.composition.subgraph_parser import named_type

# The override labels a path has chosen (label → overriding side in effect).
Labels = frozenset[tuple[str, bool]]


@dataclass(frozen=True)
class Position:
    subgraph: int
    provided: FieldSet | None = None


class Moves:
    def __init__(self, subgraphs: Sequence[Subgraph], schema: MergedSchema) -> None:
        self.subgraphs = subgraphs
        self.schema = schema
        # (subgraph index, type, field) → override label (None: unconditional), both sides.
        self.overridden: dict[tuple[int, str, str], str | None] = {}
        self.overriding: dict[tuple[int, str, str], str] = {}
        self.reach_cache: dict[tuple[int, str], list[int]] = {}
        names = {subgraph.name: index for index, subgraph in enumerate(subgraphs)}
        for index, subgraph in enumerate(subgraphs):
            for type_ in subgraph.types.values():
                for field_ in type_.fields:
                    source = names.get(field_.override or "")
                    if source is None or source == index:
                        continue
                    self.overridden[(source, type_.name, field_.name)] = field_.override_label
                    if field_.override_label:
                        self.overriding[(index, type_.name, field_.name)] = field_.override_label

    def is_root(self, type_name: str) -> bool:
        return type_name in self.schema.root_types.values()

    def tail_type(self, index: int, type_name: str) -> SubgraphType | None:
        """The subgraph's type at a path on `type_name`, or the `@interfaceObject` standing
        for one of its interfaces."""
        found = self.entity_types(index, type_name)
        return found[0] if found else None

    def entity_types(self, index: int, type_name: str) -> list[SubgraphType]:
        """The type itself, and the `@interfaceObject`s standing for its interfaces."""
        subgraph = self.subgraphs[index]
        merged = self.schema.types.get(type_name)
        found = [t for t in [subgraph.type(type_name)] if t is not None]
        for interface in merged.interfaces if merged else ():
            candidate = subgraph.type(interface)
            if candidate is not None and candidate.interface_object:
                found.append(candidate)
        return found

    def reachable(self, index: int, type_name: str) -> list[int]:
        """The other subgraphs a path at `type_name` in subgraph `index` can hop to: any
        subgraph with the root type (root types are joined), or through a resolvable key whose
        fields the holder has, and on from there (the subgraph jumped to gives its own fields,
        including those of another key)."""
        cached = self.reach_cache.get((index, type_name))
        if cached is not None:
            return cached
        found = self.hops(index, type_name)
        self.reach_cache[(index, type_name)] = found
        return found

    def hops(self, index: int, type_name: str) -> list[int]:
        if self.is_root(type_name):
            return [
                other
                for other, subgraph in enumerate(self.subgraphs)
                if other != index and subgraph.type(type_name) is not None
            ]
        reached = [index]
        frontier = [index]
        while frontier:
            held = self.entity_types(frontier.pop(), type_name)
            for other in range(len(self.subgraphs)):
                if other not in reached and self.accepts(other, type_name, held):
                    reached.append(other)
                    frontier.append(other)
        return sorted(reached[1:])

    def accepts(self, index: int, type_name: str, held: Sequence[SubgraphType]) -> bool:
        """Whether subgraph `index` resolves `type_name` by a key the `held` types can fill."""
        for other_type in self.entity_types(index, type_name):
            for key in other_type.keys:
                if key.resolvable is False:
                    continue
                names = selected_fields(key.fields).top_level_names()
                if any(all(h.field(name) is not None for name in names) for h in held):
                    return True
        return False

    def usable(self, index: int, type_name: str, field_: SubgraphField, labels: Labels) -> bool:
        """Not overridden away from this subgraph, for the override labels chosen."""
        chosen = dict(labels)
        key = (index, type_name, field_.name)
        if key in self.overridden:
            label = self.overridden[key]
            return label is not None and chosen.get(label) is False
        if key in self.overriding:
            return chosen.get(self.overriding[key]) is True
        return True

    def direct(
        self,
        position: Position,
        type_name: str,
        field_name: str,
        labels: Labels,
        pending: frozenset[tuple[int, str, str]] = frozenset(),
    ) -> Position | None:
        """Where taking the field in the position's own subgraph leads, or None."""
        index = position.subgraph
        tail = self.tail_type(index, type_name)
        field_ = tail.field(field_name) if tail else None
        if tail is None or field_ is None:
            return None
        owner = tail.name
        provided = provided_selection(position.provided, type_name, field_name, self.schema)
        if provided is None and field_.external:
            return None
        if not self.usable(index, owner, field_, labels):
            return None
        if field_.requires and provided is None:
            step = (index, owner, field_name)
            if step in pending:
                return None  # a requirement that needs itself
            if not self.can_fetch(
                index, type_name, selected_fields(field_.requires), labels, pending | {step}
            ):
                return None
        if field_.provides:
            return Position(index, selected_fields(field_.provides))
        return Position(index, provided.selections if provided else None)

    def options(
        self,
        position: Position,
        type_name: str,
        field_name: str,
        labels: Labels,
        leaf: bool,
        pending: frozenset[tuple[int, str, str]] = frozenset(),
    ) -> list[Position]:
        """Every position taking the field leads to: directly, and (for a composite field, or
        when the direct way fails) after hopping through keys, as Apollo's validation does."""
        found: list[Position] = []
        direct = self.direct(position, type_name, field_name, labels, pending)
        if direct is not None:
            found.append(direct)
            if leaf:
                return found
        for other in self.reachable(position.subgraph, type_name):
            hopped = self.direct(Position(other), type_name, field_name, labels, pending)
            if hopped is not None:
                found.append(hopped)
        return found

    def can_fetch(
        self,
        index: int,
        type_name: str,
        field_set: FieldSet,
        labels: Labels,
        pending: frozenset[tuple[int, str, str]],
    ) -> bool:
        """Whether a `@requires` selection can be fetched for an entity held in `index`."""
        for selection in field_set.selections:
            if not isinstance(selection, FieldSelection):
                cast = selection.type_condition or type_name
                if self.tail_type(index, cast) is None:
                    continue  # that subgraph never sees such an object
                if not self.can_fetch(index, cast, selection.selections, labels, pending):
                    return False
                continue
            if selection.name == "__typename":
                continue  # every position can give it
            merged_field = self.merged_field(type_name, selection.name)
            if merged_field is None:
                return False
            leaf = selection.selections is None
            found = self.options(Position(index), type_name, selection.name, labels, leaf, pending)
            if leaf and not found:
                return False
            if not leaf and not any(
                self.can_fetch(
                    option.subgraph,
                    named_type_of(merged_field),
                    selection.selections or FieldSet(()),
                    labels,
                    pending,
                )
                for option in found
            ):
                return False
        return True

    def merged_field(self, type_name: str, field_name: str) -> str | None:
        merged = self.schema.types.get(type_name)
        field_ = merged.fields.get(field_name) if merged else None
        return field_.type if field_ else None

    def runtime_types(self, index: int, type_name: str) -> set[str]:
        """The object types a subgraph can return where it has `type_name` (abstract)."""
        subgraph = self.subgraphs[index]
        type_ = subgraph.type(type_name)
        if type_ is None:
            return set()
        if type_.kind == "union":
            return set(type_.members)
        if type_.kind == "interface":
            return {
                other.name
                for other in subgraph.types.values()
                if other.kind == "object" and type_name in other.interfaces
            }
        return {type_name}


def provided_selection(
    provided: FieldSet | None, type_name: str, field_name: str, schema: MergedSchema
) -> FieldSelection | None:
    """The selection of `field_name` in what the path's parent field `@provides`, if any."""
    if provided is None:
        return None
    merged = schema.types.get(type_name)
    applies = {type_name, *(merged.interfaces if merged else ())}
    for selection in provided.selections:
        if isinstance(selection, FieldSelection):
            if selection.name == field_name:
                return selection
        elif selection.type_condition is None or selection.type_condition in applies:
            found = provided_selection(selection.selections, type_name, field_name, schema)
            if found is not None:
                return found
    return None


def named_type_of(printed: str) -> str:
    return printed.replace("[", "").replace("]", "").replace("!", "")


def leaf_type(schema: MergedSchema, printed: str) -> bool:
    merged = schema.types.get(named_type_of(printed))
    return merged is None or merged.kind in ("scalar", "enum")


__all__ = ["Labels", "Moves", "Position", "leaf_type", "named_type", "named_type_of"]
