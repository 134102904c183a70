"""`ShapePlan`: how to shape one operation's response, worked out once and reused.

For each (object type, selection sets) the operation can reach, the fields to answer (the
spec's CollectFields: response keys in document order, type conditions, `@skip`/`@include`) and,
per field, a completer built for its type: a non-null check, a list walk, a scalar check, an
enum check, an object's fields or an abstract type's choice by `__typename`. Plans depend on the
schema, the normalized selection set and the values of the variables `@skip`/`@include` read,
and are cached by those (`shape_plan_for`). A plan built with the operation's cost nodes also
counts its actual cost as it shapes (`shape_cost.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
    VariableNode,
    is_abstract_type,
)

from gateway.execution.introspection import INTROSPECTION_FIELDS
from gateway.execution.shape_cost import CostedField, Costs, counted_leaf
from gateway.execution.shaping import (
    PROPAGATE,
    Completer,
    LinkedPath,
    NoShortcut,
    ObjectShaper,
    ShapingRun,
)
from gateway.execution.variables import included
from gateway.lru import ByteBoundedLru
from gateway.operation.prepared import PreparedOperation

CACHE_CAPACITY = 512
CollectedFields = dict[str, list[FieldNode]]


def _valid_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31


SCALAR_CHECKS: Mapping[str, Callable[[Any], bool]] = {
    "Int": _valid_int,
    "Float": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "String": lambda value: isinstance(value, str),
    "Boolean": lambda value: isinstance(value, bool),
    "ID": lambda value: isinstance(value, str | int) and not isinstance(value, bool),
}


class ShapePlan:
    def __init__(
        self,
        schema: GraphQLSchema,
        root_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        variables: Mapping[str, Any],
        typename_key: str = "__typename",
        costs: Costs = None,
    ) -> None:
        self.schema = schema
        self.variables = variables
        # Where the planner put each object's `__typename` (`QueryPlan.typename_key`).
        self.typename_key = typename_key
        # The root fields' cost nodes, when shaping counts the actual cost (`shape_cost.py`);
        # `countable` turns false for good if a counted key turns out to be answered otherwise.
        self.costs = costs
        self.countable = True
        self._objects: dict[tuple[str, tuple[int, ...], int], ObjectShaper] = {}
        self.root_fields = self._fields(root_type, (selection_set,), is_root=True, costs=costs)

    def shape(self, data: dict[str, Any], run: ShapingRun) -> dict[str, Any] | None:
        shaped = self.root_fields.shape(data, None, run)
        return None if shaped is PROPAGATE else shaped  # type: ignore[return-value]

    # fields of an object

    def object_fields(
        self,
        object_type: GraphQLObjectType,
        selection_sets: tuple[SelectionSetNode, ...],
        costs: Costs = None,
    ) -> ObjectShaper:
        # The cost nodes are the formula's, which the plan keeps (`shape_plan_for`).
        key = (
            object_type.name,
            tuple(id(selection_set) for selection_set in selection_sets),
            id(costs) if costs else 0,
        )
        fields = self._objects.get(key)
        if fields is None:
            fields = self._fields(object_type, selection_sets, is_root=False, costs=costs)
            self._objects[key] = fields
        return fields

    def _fields(
        self,
        object_type: GraphQLObjectType,
        selection_sets: tuple[SelectionSetNode, ...],
        *,
        is_root: bool,
        costs: Costs = None,
    ) -> ObjectShaper:
        collected: CollectedFields = {}
        for selection_set in selection_sets:
            self._collect_into(collected, object_type, selection_set.selections)
        by_key = {node.key: node for node in costs} if costs else {}
        fields: list[tuple[str, Completer, bool, type]] = []
        for key, nodes in collected.items():
            name = nodes[0].name.value
            cost = by_key.get(key)
            if cost is not None and (name == "__typename" or name in INTROSPECTION_FIELDS):
                self.countable = False  # the key costs as another type's field: walk instead
            if name == "__typename":
                fields.append((key, _constant(object_type.name), False, NoShortcut))
            elif is_root and name in INTROSPECTION_FIELDS:
                fields.append((key, _as_is, False, NoShortcut))
            else:
                field_type = object_type.fields[name].type
                completer = self._completer(
                    field_type, nodes, object_type.name, name, field_type, cost
                )
                non_null = isinstance(field_type, GraphQLNonNull)
                # A field that costs always goes through its completer, which counts it.
                shortcut = _shortcut(field_type) if cost is None else NoShortcut
                fields.append((key, completer, non_null, shortcut))
        return ObjectShaper(tuple(fields))

    def _collect_into(
        self,
        collected: CollectedFields,
        object_type: GraphQLObjectType,
        selections: tuple[SelectionNode, ...],
    ) -> None:
        for selection in selections:
            if selection.directives and not included(selection.directives, self.variables):
                continue
            if isinstance(selection, FieldNode):
                response_key = (selection.alias or selection.name).value
                collected.setdefault(response_key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode) and self._applies(
                selection, object_type
            ):
                self._collect_into(collected, object_type, selection.selection_set.selections)

    def _applies(self, fragment: InlineFragmentNode, object_type: GraphQLObjectType) -> bool:
        if fragment.type_condition is None:
            return True
        condition_name = fragment.type_condition.name.value
        if condition_name == object_type.name:
            return True
        condition = self.schema.get_type(condition_name)
        return is_abstract_type(condition) and self.schema.is_sub_type(condition, object_type)

    # completers by type

    def _completer(
        self,
        field_type: GraphQLOutputType,
        nodes: list[FieldNode],
        parent_name: str,
        field_name: str,
        declared_type: GraphQLOutputType,
        cost: CostedField | None = None,
    ) -> Completer:
        """The field's completer; with its cost node, one that also adds the node's weight for
        each value it writes at the innermost level (each object, or each leaf value)."""
        detail = f"{parent_name}.{field_name} expected {declared_type}"
        if isinstance(field_type, GraphQLNonNull):
            inner = self._completer(
                field_type.of_type, nodes, parent_name, field_name, declared_type, cost
            )
            return _non_null(inner, f"{parent_name}.{field_name}")
        weight = cost.weight if cost is not None else 0
        children = cost.counted if cost is not None else None
        if isinstance(field_type, GraphQLList):
            item_type = field_type.of_type
            item = self._completer(item_type, nodes, parent_name, field_name, declared_type, cost)
            item_non_null = isinstance(item_type, GraphQLNonNull)
            if isinstance(item_type, GraphQLNonNull):
                item_type = item_type.of_type
            if isinstance(item_type, GraphQLObjectType):
                selection_sets = tuple(node.selection_set for node in nodes if node.selection_set)
                fields = self.object_fields(item_type, selection_sets, children)
                if weight:
                    return _counted_object_list(fields, item, item_non_null, detail, weight)
                return _object_list(fields, item, item_non_null, detail)
            return _list(item, item_non_null, detail)
        if isinstance(field_type, GraphQLScalarType | GraphQLEnumType):
            leaf = self._leaf(field_type, detail)
            return counted_leaf(leaf, weight) if weight else leaf
        selection_sets = tuple(node.selection_set for node in nodes if node.selection_set)
        if isinstance(field_type, GraphQLObjectType):
            fields = self.object_fields(field_type, selection_sets, children)
            return _counted_object(fields, detail, weight) if weight else _object(fields, detail)
        return self._abstract(field_type, selection_sets, detail, cost)

    @staticmethod
    def _leaf(field_type: GraphQLScalarType | GraphQLEnumType, detail: str) -> Completer:
        if isinstance(field_type, GraphQLEnumType):
            return _enum(frozenset(field_type.values), detail)
        if field_type.name == "Int":
            return _int(detail)
        check = SCALAR_CHECKS.get(field_type.name)
        return _as_is if check is None else _scalar(check, detail)

    def _abstract(
        self,
        abstract_type: Any,
        selection_sets: tuple[SelectionSetNode, ...],
        detail: str,
        cost: CostedField | None = None,
    ) -> Completer:
        # Runtime types are resolved from `__typename` as they appear; the answer for each
        # name (its fields, or None for a name that is not a member) is kept.
        fields_by_typename: dict[str, ObjectShaper | None] = {}
        typename_key = self.typename_key
        weight = cost.weight if cost is not None else 0
        children = cost.counted if cost is not None else None

        def fields_for(typename: Any) -> ObjectShaper | None:
            if isinstance(abstract_type, GraphQLInterfaceType) and typename in (
                None,
                abstract_type.name,
            ):
                # An `@interfaceObject` subgraph answered and the plan needed no concrete
                # type (no type condition, no `__typename`): the interface's fields shape it.
                typename = abstract_type.name
                if typename not in fields_by_typename:
                    fields_by_typename[typename] = self.object_fields(
                        abstract_type,  # type: ignore[arg-type]
                        selection_sets,
                        children,
                    )
                return fields_by_typename[typename]
            if not isinstance(typename, str):
                return None
            if typename not in fields_by_typename:
                runtime = self.schema.get_type(typename)
                fields_by_typename[typename] = (
                    self.object_fields(runtime, selection_sets, children)
                    if isinstance(runtime, GraphQLObjectType)
                    and self.schema.is_sub_type(abstract_type, runtime)
                    else None
                )
            return fields_by_typename[typename]

        def complete_abstract(
            value: Any, parent: LinkedPath, key: str | int, run: ShapingRun
        ) -> Any:
            if value is None:
                return None
            if not isinstance(value, dict):
                return run.malformed(parent, key, detail)
            fields = fields_for(value.get(typename_key))
            if fields is None:
                return run.malformed(parent, key, detail)
            if weight:
                run.cost += weight
            return fields.shape(value, (parent, key), run)

        return complete_abstract


# The class a valid value of a built-in scalar has in JSON, when one class is the usual case.
SHORTCUTS: Mapping[str, type] = {"String": str, "ID": str, "Boolean": bool, "Float": float}


def _shortcut(field_type: GraphQLOutputType) -> type:
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    if isinstance(field_type, GraphQLScalarType):
        return SHORTCUTS.get(field_type.name, NoShortcut)
    return NoShortcut


def _as_is(value: Any, parent: LinkedPath, key: str | int, run: ShapingRun) -> Any:
    return value


def _constant(constant: str) -> Completer:
    def complete_constant(value: Any, parent: LinkedPath, key: str | int, run: ShapingRun) -> Any:
        return constant

    return complete_constant


def _non_null(inner: Completer, coordinate: str) -> Completer:
    def complete_non_null(value: Any, parent: LinkedPath, key: str | int, run: ShapingRun) -> Any:
        # Every completer answers None exactly when the value is None.
        if value is None:
            return run.null_violation(parent, key, coordinate)
        return inner(value, parent, key, run)

    return complete_non_null


def _list(item: Completer, item_non_null: bool, detail: str) -> Completer:
    def complete_list(value: Any, parent: LinkedPath, key: str | int, run: ShapingRun) -> Any:
        if value is None:
            return None
        if not isinstance(value, list):
            return run.malformed(parent, key, detail)
        path = (parent, key)
        items: list[Any] = []
        append = items.append
        for index, element in enumerate(value):
            shaped = item(element, path, index, run)
            if shaped is PROPAGATE:
                if item_non_null:
                    return PROPAGATE
                shaped = None
            append(shaped)
        return items

    return complete_list


def _object_list(
    fields: ObjectShaper, item: Completer, item_non_null: bool, detail: str
) -> Completer:
    """A list of objects: each object shaped directly, anything else (null, a wrong value)
    through the item's completer."""

    def complete_object_list(
        value: Any, parent: LinkedPath, key: str | int, run: ShapingRun
    ) -> Any:
        if value is None:
            return None
        if not isinstance(value, list):
            return run.malformed(parent, key, detail)
        path = (parent, key)
        items: list[Any] = []
        append = items.append
        for index, element in enumerate(value):
            shaped: object
            if element.__class__ is dict:
                shaped = fields.shape(element, (path, index), run)
            else:
                shaped = item(element, path, index, run)
            if shaped is PROPAGATE:
                if item_non_null:
                    return PROPAGATE
                shaped = None
            append(shaped)
        return items

    return complete_object_list


def _counted_object_list(
    fields: ObjectShaper, item: Completer, item_non_null: bool, detail: str, weight: int
) -> Completer:
    """`_object_list` adding `weight` for each object in the list."""

    def complete_counted_object_list(
        value: Any, parent: LinkedPath, key: str | int, run: ShapingRun
    ) -> Any:
        if value is None:
            return None
        if not isinstance(value, list):
            return run.malformed(parent, key, detail)
        path = (parent, key)
        items: list[Any] = []
        append = items.append
        # Objects shaped directly count here; anything else goes through `item`, which counts
        # an object (of a subclass of dict) itself.
        objects = len(value)
        for index, element in enumerate(value):
            shaped: object
            if element.__class__ is dict:
                shaped = fields.shape(element, (path, index), run)
            else:
                objects -= 1
                shaped = item(element, path, index, run)
            if shaped is PROPAGATE:
                if item_non_null:
                    return PROPAGATE
                shaped = None
            append(shaped)
        run.cost += weight * objects
        return items

    return complete_counted_object_list


def _scalar(check: Callable[[Any], bool], detail: str) -> Completer:
    def complete_scalar(value: Any, parent: LinkedPath, key: str | int, run: ShapingRun) -> Any:
        if value is None or check(value):
            return value
        return run.malformed(parent, key, detail)

    return complete_scalar


def _int(detail: str) -> Completer:
    """`_scalar(_valid_int)` in one call: ints are the leaves most often answered here."""

    def complete_int(value: Any, parent: LinkedPath, key: str | int, run: ShapingRun) -> Any:
        if value is None or (value.__class__ is int and -(2**31) <= value < 2**31):
            return value
        if _valid_int(value):  # an int subclass other than bool
            return value
        return run.malformed(parent, key, detail)

    return complete_int


def _enum(values: frozenset[str], detail: str) -> Completer:
    def complete_enum(value: Any, parent: LinkedPath, key: str | int, run: ShapingRun) -> Any:
        if value is None or (isinstance(value, str) and value in values):
            return value
        return run.malformed(parent, key, detail)

    return complete_enum


def _object(fields: ObjectShaper, detail: str) -> Completer:
    def complete_object(value: Any, parent: LinkedPath, key: str | int, run: ShapingRun) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            return run.malformed(parent, key, detail)
        return fields.shape(value, (parent, key), run)

    return complete_object


def _counted_object(fields: ObjectShaper, detail: str, weight: int) -> Completer:
    """`_object` adding `weight` for the object."""

    def complete_counted_object(
        value: Any, parent: LinkedPath, key: str | int, run: ShapingRun
    ) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            return run.malformed(parent, key, detail)
        run.cost += weight
        return fields.shape(value, (parent, key), run)

    return complete_counted_object


# Plans by (schema, selection set, values of the variables `@skip`/`@include` read). The entry
# keeps both objects alive, so their ids cannot be reused while the entry exists. All entries
# are for one schema: the serving one. Both caches are bounded by bytes (`gateway.lru`): an
# entry is charged per field selection of its operation, for the plan's completers and the
# syntax tree it keeps alive (about 1.3 KB each for a plan, measured with tracemalloc on 3,000
# distinct fields, and as much for the tree).
BYTES_PER_SELECTION = 3_000
MAX_BYTES = 64 * 1024 * 1024
_plans: ByteBoundedLru[tuple[int, int, tuple[Any, ...]], tuple[Any, Any, ShapePlan]] = (
    ByteBoundedLru(MAX_BYTES, CACHE_CAPACITY)
)
_condition_variables: ByteBoundedLru[int, tuple[SelectionSetNode, tuple[str, ...]]] = (
    ByteBoundedLru(MAX_BYTES, CACHE_CAPACITY)
)
_serving_schema: list[GraphQLSchema] = []


def cached_bytes() -> int:
    """What the shape-plan caches are charged for now (at most `2 * MAX_BYTES`)."""
    return _plans.bytes + _condition_variables.bytes


def shape_plan_for(
    schema: GraphQLSchema,
    root_type: GraphQLObjectType,
    operation: PreparedOperation,
    variables: Mapping[str, Any],
    typename_key: str = "__typename",
    costs: Costs = None,
) -> ShapePlan:
    """The plan for `operation`; with `costs` (its root fields' cost nodes), one that counts
    its actual cost too, cached apart (it keeps the nodes, so their id is not reused)."""
    selection_set = operation.selection_set
    size = BYTES_PER_SELECTION * (operation.selections + 1)
    names = _condition_variable_names(selection_set, size)
    conditions = tuple(bool(variables.get(name)) for name in names)
    key = (id(schema), id(selection_set), (*conditions, typename_key, id(costs) if costs else 0))
    entry = _plans.get(key)
    if (
        entry is not None
        and entry[0] is schema
        and entry[1] is selection_set
        and entry[2].costs is (costs or None)
    ):
        return entry[2]
    # The plan keeps only the variables its conditions read, not the request's values.
    plan = ShapePlan(
        schema,
        root_type,
        selection_set,
        {name: variables.get(name) for name in names},
        typename_key,
        costs or None,
    )
    if not _serving_schema or _serving_schema[0] is not schema:
        # A reloaded supergraph: the old schema's plans go, and the old schema with them.
        _plans.clear()
        _serving_schema[:] = [schema]
    _plans.put(key, (schema, selection_set, plan), size)
    return plan


def _condition_variable_names(selection_set: SelectionSetNode, size: int) -> tuple[str, ...]:
    entry = _condition_variables.get(id(selection_set))
    if entry is not None and entry[0] is selection_set:
        return entry[1]
    names: list[str] = []
    _find_condition_variables(selection_set, names)
    _condition_variables.put(id(selection_set), (selection_set, tuple(names)), size)
    return tuple(names)


def _find_condition_variables(selection_set: SelectionSetNode, names: list[str]) -> None:
    for selection in selection_set.selections:
        for directive in selection.directives or ():
            if directive.name.value in ("skip", "include"):
                for argument in directive.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        name = argument.value.name.value
                        if name not in names:
                            names.append(name)
        child = getattr(selection, "selection_set", None)
        if child is not None:
            _find_condition_variables(child, names)
