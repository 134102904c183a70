"""Entity representations: what an `_entities` fetch sends for each object it extends.

A representation is the object's data selected through `Fetch.requires` (the `@key` fields
plus `@requires` fields). Objects whose type the fetch does not handle, or whose selected fields
are missing or null at any depth (a null key, or a null field of a nested key), get none and are
not fetched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import orjson
from graphql import GraphQLSchema, is_abstract_type

from gateway.planning.nodes import (
    KeyRenamer,
    RequiredField,
    RequiredFragment,
    RequiredSelection,
    Rewrite,
)

TYPE_CONDITION_PREFIX = "... on "
# The distinct representations of some objects and, for each, the objects it stands for.
Grouped = tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]


class _Missing(Exception):
    """A required field is absent: the object cannot be represented."""


@dataclass(frozen=True)
class FlatRepresentation:
    """The usual `requires`: `... on T { __typename key… }` with scalar fields, read straight
    from the object. `read(value)` gives the values in `names` order (KeyError when one is
    missing), so objects can be told apart by those values before any dict is built."""

    type_name: str
    names: tuple[str, ...]
    read: Callable[[dict[str, Any]], tuple[Any, ...]]
    # Where the object's `__typename` is (an alias when a client field holds the name).
    typename_key: str = "__typename"
    # Where each of `names` is read (an alias for a field with arguments).
    response_keys: tuple[str, ...] = ()

    @property
    def signature(self) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """Equal for two representations that group any objects alike."""
        return (self.type_name, self.names, self.response_keys)

    def represent(self, values: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip(self.names, values, strict=True))

    def group(self, objects: list[dict[str, Any]]) -> Grouped:
        """The distinct representations of `objects` and, for each, the objects it stands for
        (`PlanRun.representations`). Objects are told apart by their key values (a tuple when
        they are all strings, else their exact JSON), so a dict is built only once per
        distinct representation."""
        unique: list[dict[str, Any]] = []
        targets: list[list[dict[str, Any]]] = []
        index_by_key: dict[object, int] = {}
        type_name, read, typename_key = self.type_name, self.read, self.typename_key
        for value in objects:
            if value.get(typename_key) != type_name:
                continue
            try:
                values = read(value)
            except KeyError:
                continue
            # Missing and null key fields both leave the object without a representation.
            if None in values:
                continue
            key: object = values
            for field_value in values:
                # Tuples compare 1, 1.0 and True equal; JSON text tells them apart.
                if field_value.__class__ is not str:
                    key = orjson.dumps(values)
                    break
            index = index_by_key.get(key)
            if index is None:
                index_by_key[key] = len(unique)
                unique.append(self.represent(values))
                targets.append([value])
            else:
                targets[index].append(value)
        return unique, targets


# By (schema, requires); the entry keeps both alive, so their ids stay theirs.
_flat: dict[tuple[int, int], tuple[GraphQLSchema, object, FlatRepresentation | None]] = {}
CACHE_CAPACITY = 4096


def flat_representation(
    schema: GraphQLSchema, requires: Sequence[RequiredSelection]
) -> FlatRepresentation | None:
    """The flat form of a fetch's `requires`, or None when it needs the general
    `representation` (nested key fields, several fragments, abstract type conditions).
    Worked out once per plan."""
    key = (id(schema), id(requires))
    entry = _flat.get(key)
    if entry is not None and entry[0] is schema and entry[1] is requires:
        return entry[2]
    made = _flat_representation(schema, requires)
    if len(_flat) >= CACHE_CAPACITY or (_flat and next(iter(_flat.values()))[0] is not schema):
        # Full, or a reloaded supergraph: the old schema's entries (and the schema) go.
        _flat.clear()
    _flat[key] = (schema, requires, made)
    return made


def _flat_representation(
    schema: GraphQLSchema, requires: Sequence[RequiredSelection]
) -> FlatRepresentation | None:
    if len(requires) != 1 or not isinstance(requires[0], RequiredFragment):
        return None
    fragment = requires[0]
    condition = schema.get_type(fragment.type_condition)
    if condition is None or is_abstract_type(condition):
        return None
    names: list[str] = []
    # Where each value is read in the merged response (a field with arguments is fetched
    # under an alias) while it is sent under its name.
    response_keys: list[str] = []
    for selection in fragment.selections:
        if not isinstance(selection, RequiredField) or selection.selections:
            return None
        names.append(selection.name)
        response_keys.append(selection.alias or selection.name)
    # itemgetter of two or more keys answers a tuple; `__typename` is one of them.
    if "__typename" not in names or len(set(names)) != len(names) or len(names) < 2:
        return None
    return FlatRepresentation(
        fragment.type_condition,
        tuple(names),
        itemgetter(*response_keys),
        response_keys[names.index("__typename")],
        tuple(response_keys),
    )


def representation(
    schema: GraphQLSchema, value: dict[str, Any], requires: Sequence[RequiredSelection]
) -> dict[str, Any] | None:
    try:
        selected = _select(schema, value, requires)
    except _Missing:
        return None
    if not selected or "__typename" not in selected:
        return None
    if _holds_null(selected):
        return None
    return selected


def _holds_null(value: Any) -> bool:
    """Whether a selected value is null somewhere: a nested key is as incomplete as a top-level
    one when one of its fields is null."""
    if value is None:
        return True
    if isinstance(value, dict):
        return any(_holds_null(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_null(item) for item in value)
    return False


def _select(
    schema: GraphQLSchema, value: dict[str, Any], selections: Sequence[RequiredSelection]
) -> dict[str, Any]:
    selected: dict[str, Any] = {}
    for selection in selections:
        if isinstance(selection, RequiredFragment):
            typename = value.get(typename_key(selection.selections))
            if type_matches(schema, selection.type_condition, typename):
                selected.update(_select(schema, value, selection.selections))
            continue
        assert isinstance(selection, RequiredField)
        response_key = selection.alias or selection.name
        if response_key not in value:
            raise _Missing(response_key)
        field_value = value[response_key]
        if selection.selections and field_value is not None:
            field_value = _select_value(schema, field_value, selection.selections)
        selected[selection.name] = field_value
    return selected


def typename_key(selections: Sequence[RequiredSelection]) -> str:
    """Where a representation's `__typename` is read: its `RequiredField`'s alias, if any."""
    for selection in selections:
        if isinstance(selection, RequiredField) and selection.name == "__typename":
            return selection.alias or selection.name
    return "__typename"


def _select_value(
    schema: GraphQLSchema, value: Any, selections: Sequence[RequiredSelection]
) -> Any:
    if isinstance(value, list):
        return [_select_value(schema, item, selections) for item in value]
    if isinstance(value, dict):
        return _select(schema, value, selections)
    return value


def type_matches(schema: GraphQLSchema, type_condition: str, typename: Any) -> bool:
    if typename == type_condition:
        return True
    if not isinstance(typename, str):
        return False
    condition_type = schema.get_type(type_condition)
    runtime_type = schema.get_type(typename)
    return (
        condition_type is not None
        and runtime_type is not None
        and is_abstract_type(condition_type)
        and schema.is_sub_type(condition_type, runtime_type)
    )


def apply_rewrites(value: Any, rewrites: Sequence[Rewrite]) -> None:
    """Apply each rewrite in place: set a value (`__typename` renames for `@interfaceObject`)
    or rename a key (fields fetched under an alias)."""
    for rewrite in rewrites:
        if isinstance(rewrite, KeyRenamer):
            _rename_key(value, rewrite.path, rewrite.rename_key_to)
        else:
            _set_value(value, rewrite.path, rewrite.value)


def _rename_key(value: Any, path: Sequence[str], new_key: str) -> None:
    if isinstance(value, list):
        for item in value:
            _rename_key(item, path, new_key)
        return
    if not isinstance(value, dict) or not path:
        return
    step, rest = path[0], path[1:]
    if rest:
        if step in value:
            _rename_key(value[step], rest, new_key)
    elif step in value:
        value[new_key] = value.pop(step)


def _set_value(value: Any, path: Sequence[str], new_value: str) -> None:
    if not path:
        return
    if isinstance(value, list):
        for item in value:
            _set_value(item, path, new_value)
        return
    if not isinstance(value, dict):
        return
    step, rest = path[0], path[1:]
    if step.startswith(TYPE_CONDITION_PREFIX):
        if value.get("__typename") == step[len(TYPE_CONDITION_PREFIX) :].strip():
            _set_value(value, rest, new_value)
    elif not rest:
        value[step] = new_value
    elif step in value:
        _set_value(value[step], rest, new_value)
