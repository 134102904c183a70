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
        # The first `@override(label:)` on a field, in subgraph order: (type, field) → label.
        self.override_labels: dict[tuple[str, str], str] = {}
        # Everything below is asked for once per field of every state: computed once.
        self.reach_cache: dict[tuple[int, str], list[int]] = {}
        self.reach_sets: dict[tuple[int, str], frozenset[int]] = {}
        self.entity_cache: dict[tuple[int, str], list[SubgraphType]] = {}
        self.runtime_cache: dict[tuple[int, str], set[str]] = {}
        # type name → field name → the subgraphs whose type there (or the `@interfaceObject`
        # standing for it) has the field: the only ones where taking it can succeed.
        self.field_holder_cache: dict[str, dict[str, list[int]]] = {}
        names = {subgraph.name: index for index, subgraph in enumerate(subgraphs)}
        for index, subgraph in enumerate(subgraphs):
            for type_ in subgraph.types.values():
                for field_ in type_.fields:
                    if field_.override_label:
                        self.override_labels.setdefault(
                            (type_.name, field_.name), field_.override_label
                        )
                    source = names.get(field_.override or "")
                    if source is None or source == index:
                        continue
                    self.overridden[(source, type_.name, field_.name)] = field_.override_label
                    if field_.override_label:
                        self.overriding[(index, type_.name, field_.name)] = field_.override_label
        self.holder_index = self.index_holders()

    def index_holders(self) -> dict[str, list[int]]:
        """type name → the subgraphs having it, or an `@interfaceObject` standing for it."""
        implementers: dict[str, list[str]] = {}
        for merged in self.schema.types.values():
            for interface in merged.interfaces:
                implementers.setdefault(interface, []).append(merged.name)
        holders: dict[str, set[int]] = {}
        for index, subgraph in enumerate(self.subgraphs):
            for type_ in subgraph.types.values():
                holders.setdefault(type_.name, set()).add(index)
                if type_.interface_object:
                    for name in implementers.get(type_.name, ()):
                        holders.setdefault(name, set()).add(index)
        return {name: sorted(indices) for name, indices in holders.items()}

    def is_root(self, type_name: str) -> bool:
        return type_name in self.schema.root_types.values()

    def tail_type(self, index: int, type_name: str) -> SubgraphType | None:
        """The subgraph's type at a path on `type_name`, or the `@interfaceObject` standing
        for one of its interfaces."""
        found = self.entity_types(index, type_name)
        return found[0] if found else None

    def entity_types(self, index: int, type_name: str) -> list[SubgraphType]:
        """The type itself, and the `@interfaceObject`s standing for its interfaces."""
        cached = self.entity_cache.get((index, type_name))
        if cached is None:
            cached = self.entity_cache[(index, type_name)] = self.find_entity_types(
                index, type_name
            )
        return cached

    def find_entity_types(self, index: int, type_name: str) -> list[SubgraphType]:
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
        self.reach_sets[(index, type_name)] = frozenset(found)
        return found

    def reachable_set(self, index: int, type_name: str) -> frozenset[int]:
        self.reachable(index, type_name)
        return self.reach_sets[(index, type_name)]

    def holders(self, type_name: str) -> list[int]:
        """The subgraphs having `type_name` (or an `@interfaceObject` for it), in order: the
        only ones a key hop can reach, so the only ones worth asking."""
        return self.holder_index.get(type_name, [])

    def field_holders(self, type_name: str, field_name: str) -> list[int]:
        by_field = self.field_holder_cache.get(type_name)
        if by_field is None:
            by_field = self.field_holder_cache[type_name] = {}
            for index in self.holders(type_name):
                tail = self.tail_type(index, type_name)
                for name in tail.fields_by_name if tail else ():
                    by_field.setdefault(name, []).append(index)
        return by_field.get(field_name, [])

    def hops(self, index: int, type_name: str) -> list[int]:
        if self.is_root(type_name):
            return [
                other
                for other, subgraph in enumerate(self.subgraphs)
                if other != index and subgraph.type(type_name) is not None
            ]
        # A key's fields may come from several of the subgraphs reached so far (the planner
        # fetches the missing ones first): hop until no further subgraph accepts the union.
        reached = {index}
        held = list(self.entity_types(index, type_name))
        grown = True
        while grown:
            grown = False
            for other in self.holders(type_name):
                if other not in reached and self.accepts(other, type_name, held):
                    reached.add(other)
                    held.extend(self.entity_types(other, type_name))
                    grown = True
        reached.discard(index)
        return sorted(reached)

    def accepts(self, index: int, type_name: str, held: Sequence[SubgraphType]) -> bool:
        """Whether subgraph `index` resolves `type_name` by a key whose every field one of the
        `held` types has."""
        for other_type in self.entity_types(index, type_name):
            for key in other_type.keys:
                if key.resolvable is False:
                    continue
                names = selected_fields(key.fields).top_level_names()
                if all(any(h.field(name) is not None for h in held) for name in names):
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

    def options_from(
        self,
        positions: Sequence[Position],
        type_name: str,
        field_name: str,
        labels: Labels,
        leaf: bool,
    ) -> list[Position]:
        """`options` of every position, each found position once, in the order asking the
        positions one by one finds them. Where taking the field in a subgraph leads depends
        only on that subgraph (unless the path was `@provides`d something), and only the few
        subgraphs having the field can succeed: each of those is tried once per field, however
        many positions reach it. From N root positions that is a few tries, not N²."""
        candidates = self.field_holders(type_name, field_name)
        candidate_set = set(candidates)
        found: dict[Position, None] = {}
        # subgraph index → where taking the field there (nothing provided) leads
        tried: dict[int, Position | None] = {}

        def attempt(index: int) -> Position | None:
            if index in tried:
                return tried[index]
            outcome = tried[index] = self.direct(Position(index), type_name, field_name, labels)
            if outcome is not None:
                found.setdefault(outcome)
            return outcome

        last_provided = max(
            (number for number, position in enumerate(positions) if position.provided is not None),
            default=-1,
        )
        for number, position in enumerate(positions):
            if number > last_provided and len(tried) >= len(candidates):
                break  # every candidate was tried, and no later position differs
            if position.provided is None:
                direct = attempt(position.subgraph) if position.subgraph in candidate_set else None
            else:
                direct = self.direct(position, type_name, field_name, labels)
                if direct is not None:
                    found.setdefault(direct)
            if direct is not None and leaf:
                continue
            reach = self.reachable_set(position.subgraph, type_name)
            for other in candidates:
                if other in reach:
                    attempt(other)
        return list(found)

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
        cached = self.runtime_cache.get((index, type_name))
        if cached is None:
            cached = self.runtime_cache[(index, type_name)] = self.find_runtime_types(
                index, type_name
            )
        return cached

    def find_runtime_types(self, index: int, type_name: str) -> set[str]:
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
