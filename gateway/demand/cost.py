"""`CostFormula`: an operation's cost, compiled once from `@cost` and `@listSize`.

The rules are IBM's cost directive specification as Apollo Router applies them:

- an operation costs its base (10 for a mutation, 0 otherwise) plus its fields;
- a field costs its own weight plus its selections', times the size of its list when it
  returns one; its weight is its `@cost(weight:)`, else its type's `@cost`, else 1 for an
  object, interface or union and 0 for a scalar or enum;
- a list's size is the largest of its `@listSize(slicingArguments:)` the operation gives
  (a literal, a variable's value, or the argument's default), else the directive's
  `assumedSize`, else the configured default list size; `sizedFields` hands the size to the
  named child fields instead (`edges`, `nodes` of a connection).

Slicing arguments may be variables, so the formula keeps where each size comes from and is
evaluated per request (`estimate`), which walks the compiled tree and never the document; an
operation without variable sizes is evaluated once, at compile time. `actual` walks the
response instead, counting the items lists really held.

`actual` runs on every metered response, so it walks the response one position at a time
rather than one object at a time: for each field that can cost, the values under all the
objects at its parent's position are gathered with C-level iterators (`map(dict.get, ...)`,
lists flattened as deep as the field's type, nulls dropped), counted, and become the parents of
its children. The cost is linear in what it counts (`weight` times the values present), so this
is the recursive definition's sum (`CostNode.actual`) at a third of its time (the benchmark's
43 KB answer of 435 objects: 86 -> 26 us). It relies on the response having the operation's
shape, as shaping makes it; a value of another shape raises `TypeError` in the fast walk, and
the recursive definition counts that response instead.

Most responses are not walked at all: shaping counts the same sum as it writes the response
(`actual_counted`, `gateway/execution/shape_cost.py`). `actual` counts the others: a response
where shaping nulled a value over an error, an operation the auth stage restricted, one where a
response key names different fields in fragments on different types (`one_node_per_key`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain, repeat
from operator import is_not
from typing import Any

from graphql import (
    FieldNode,
    GraphQLCompositeType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    parse_value,
)

from gateway.operation.prepared import PreparedOperation
from gateway.supergraph.model import CompositeType, ListSize, ScalarType
from gateway.supergraph.supergraph import Supergraph

MUTATION_BASE_COST = 10
_present = partial(is_not, None)
_get = dict.get
INTROSPECTION = frozenset({"__typename", "__schema", "__type"})


@dataclass(frozen=True, slots=True)
class ListSizeRule:
    """How many items a list is assumed to hold."""

    literals: tuple[int, ...]
    # Slicing arguments given as variables: (variable name, value when the variable is unset).
    variables: tuple[tuple[str, int | None], ...]
    fallback: int

    def size(self, variables: Mapping[str, Any]) -> int:
        sizes = list(self.literals)
        for name, default in self.variables:
            value = variables.get(name, default)
            if isinstance(value, int) and not isinstance(value, bool):
                sizes.append(value)
            elif default is not None:
                sizes.append(default)
        return max(max(sizes), 0) if sizes else self.fallback


@dataclass(frozen=True, slots=True)
class CostNode:
    key: str  # the response key
    weight: int
    size: ListSizeRule | None  # None: one value, not a list
    children: tuple[CostNode, ...]
    # The children `actual` reads: one per response key (a key selected in two fragments is
    # one value in the response), none that costs nothing, so most of a response's scalars
    # are never visited.
    counted: tuple[CostNode, ...] = ()
    # Lists around the value: 0 for one value, 1 for a list, 2 for a list of lists...
    list_depth: int = 0

    def estimate(self, variables: Mapping[str, Any]) -> int:
        total = self.weight + sum(child.estimate(variables) for child in self.children)
        return total if self.size is None else total * self.size.size(variables)

    def actual(self, value: Any) -> int:
        """The definition: what this field's value costs, one value at a time."""
        if value is None:
            return 0
        if isinstance(value, list):
            return sum(self.actual(item) for item in value)
        total = self.weight
        if isinstance(value, dict):
            for child in self.counted:
                total += child.actual(value.get(child.key))
        return total

    @property
    def costs_nothing(self) -> bool:
        """Whatever the response holds, this field adds nothing (a scalar of weight 0)."""
        return self.weight == 0 and not self.children


@dataclass(frozen=True, slots=True)
class CostFormula:
    base: int
    fields: tuple[CostNode, ...]
    # The schema coordinates ("Type.field") the operation selects, sorted.
    coordinates: tuple[str, ...]
    # The estimate when no size depends on a variable.
    fixed: int | None
    counted: tuple[CostNode, ...] = ()  # the root fields `actual` reads (see `CostNode`)
    # Every response key at every position has one cost node (or several equal ones), so a
    # shaper that looks the nodes up by response key counts what `actual` counts
    # (`gateway/execution/shape_cost.py`).
    one_node_per_key: bool = False

    def estimate(self, variables: Mapping[str, Any] | None) -> int:
        if self.fixed is not None:
            return self.fixed
        values = variables or {}
        return self.base + sum(node.estimate(values) for node in self.fields)

    def actual(self, data: Mapping[str, Any] | None) -> int:
        """The cost of what the response holds (nothing ran: the base only)."""
        if not data:
            return self.base if data is not None else 0
        try:
            return self.base + _count(self.counted, (data,))
        except TypeError:  # not the operation's shape: count it value by value
            return self.base + sum(node.actual(data.get(node.key)) for node in self.counted)

    def actual_counted(self, data: Mapping[str, Any] | None, counted: int) -> int:
        """`actual` of a response whose fields' cost shaping counted as it wrote them."""
        if not data:
            return self.base if data is not None else 0
        return self.base + counted


def _count(nodes: tuple[CostNode, ...], parents: Sequence[Any]) -> int:
    """What `nodes` cost under every object of `parents` (all at one position)."""
    total = 0
    for node in nodes:
        values: Iterable[Any] = filter(_present, map(_get, parents, repeat(node.key)))
        for _ in range(node.list_depth):
            values = filter(_present, chain.from_iterable(values))
        found = list(values)
        if found:
            total += node.weight * len(found)
            if node.counted:
                total += _count(node.counted, found)
    return total


def one_node_per_key(nodes: tuple[CostNode, ...]) -> bool:
    """Whether no response key among `nodes`, or under them, has two different nodes (the same
    key selected as different fields in fragments on different types)."""
    first: dict[str, CostNode] = {}
    for node in nodes:
        if first.setdefault(node.key, node) != node or not one_node_per_key(node.children):
            return False
    return True


def counted(nodes: tuple[CostNode, ...]) -> tuple[CostNode, ...]:
    """The first node of each response key, leaving out those that cost nothing."""
    first: dict[str, CostNode] = {}
    for node in nodes:
        first.setdefault(node.key, node)
    return tuple(node for node in first.values() if not node.costs_nothing)


def compile_cost(
    operation: PreparedOperation, supergraph: Supergraph, default_list_size: int
) -> CostFormula:
    compiler = _Compiler(supergraph, operation, default_list_size)
    root = supergraph.api_schema.get_root_type(_operation_type(operation.kind))
    assert root is not None, "a validated operation's root type exists"
    fields = compiler.selections(root, operation.selection_set, None)
    base = MUTATION_BASE_COST if operation.kind == "mutation" else 0
    coordinates = tuple(sorted(compiler.coordinates))
    unique = one_node_per_key(fields)
    formula = CostFormula(base, fields, coordinates, None, counted(fields), unique)
    if not compiler.variable_sizes:
        formula = CostFormula(
            base, fields, coordinates, formula.estimate({}), formula.counted, unique
        )
    return formula


def _operation_type(kind: str) -> Any:
    from graphql.language import OperationType

    return OperationType(kind)


class _Compiler:
    def __init__(
        self, supergraph: Supergraph, operation: PreparedOperation, default_list_size: int
    ) -> None:
        self.types = supergraph.types
        self.schema = supergraph.api_schema
        self.default_list_size = default_list_size
        self.coordinates: set[str] = set()
        self.variable_sizes = False
        self.variable_defaults: dict[str, int | None] = {}
        for definition in operation.definition.variable_definitions or ():
            default = definition.default_value
            self.variable_defaults[definition.variable.name.value] = (
                int(default.value) if isinstance(default, IntValueNode) else None
            )

    def selections(
        self,
        parent: GraphQLCompositeType,
        selection_set: SelectionSetNode,
        sized: tuple[frozenset[str], ListSizeRule] | None,
    ) -> tuple[CostNode, ...]:
        nodes: list[CostNode] = []
        for selection in selection_set.selections:
            if isinstance(selection, InlineFragmentNode):
                condition = parent
                if selection.type_condition is not None:
                    named = self.schema.get_type(selection.type_condition.name.value)
                    if isinstance(named, GraphQLCompositeType):
                        condition = named
                nodes.extend(self.selections(condition, selection.selection_set, sized))
            elif isinstance(selection, FieldNode):
                node = self.field(parent, selection, sized)
                if node is not None:
                    nodes.append(node)
        return tuple(nodes)

    def field(
        self,
        parent: GraphQLCompositeType,
        node: FieldNode,
        sized: tuple[frozenset[str], ListSizeRule] | None,
    ) -> CostNode | None:
        name = node.name.value
        if name in INTROSPECTION:
            return None
        if isinstance(parent, GraphQLUnionType):
            return None  # only __typename is selectable on a union
        definition = parent.fields.get(name)
        if definition is None:
            return None
        self.coordinates.add(f"{parent.name}.{name}")
        model_type = self.types.get(parent.name)
        model_field = model_type.fields.get(name) if isinstance(model_type, CompositeType) else None
        returned = definition.type
        is_list = _is_list(returned)
        named = get_named_type(returned)
        weight = self._weight(named.name, isinstance(named, GraphQLCompositeType))
        if model_field is not None and model_field.cost is not None:
            weight = model_field.cost
        list_size = model_field.list_size if model_field is not None else None
        rule = self._rule(node, list_size, model_field) if list_size is not None else None
        size: ListSizeRule | None = None
        handed_down: tuple[frozenset[str], ListSizeRule] | None = None
        if rule is not None and list_size is not None and list_size.sized_fields:
            handed_down = (frozenset(list_size.sized_fields), rule)
        elif rule is not None and is_list:
            size = rule
        if is_list and size is None:
            if sized is not None and name in sized[0]:
                size = sized[1]
            else:
                size = ListSizeRule((), (), self.default_list_size)
        children: tuple[CostNode, ...] = ()
        if node.selection_set is not None and isinstance(named, GraphQLCompositeType):
            children = self.selections(named, node.selection_set, handed_down)
        key = node.alias.value if node.alias else name
        return CostNode(key, weight, size, children, counted(children), _list_depth(returned))

    def _weight(self, type_name: str, composite: bool) -> int:
        model = self.types.get(type_name)
        if isinstance(model, CompositeType | ScalarType) and model.cost is not None:
            return model.cost
        return 1 if composite else 0

    def _rule(self, node: FieldNode, list_size: ListSize, model_field: Any) -> ListSizeRule:
        fallback = (
            list_size.assumed_size if list_size.assumed_size is not None else self.default_list_size
        )
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        literals: list[int] = []
        variables: list[tuple[str, int | None]] = []
        for argument in list_size.slicing_arguments:
            value: ValueNode | None = given.get(argument)
            if value is None:
                schema_default = self._argument_default(model_field, argument)
                if schema_default is not None:
                    literals.append(schema_default)
                continue
            if isinstance(value, IntValueNode):
                literals.append(int(value.value))
            elif isinstance(value, VariableNode):
                variable = value.name.value
                self.variable_sizes = True
                default = self.variable_defaults.get(variable)
                if default is None:
                    default = self._argument_default(model_field, argument)
                variables.append((variable, default))
        return ListSizeRule(tuple(literals), tuple(variables), fallback)

    @staticmethod
    def _argument_default(model_field: Any, argument: str) -> int | None:
        definition = model_field.arguments.get(argument) if model_field else None
        if definition is None or definition.default_value is None:
            return None
        value = parse_value(definition.default_value)
        return int(value.value) if isinstance(value, IntValueNode) else None


def _list_depth(type_: GraphQLOutputType) -> int:
    depth = 0
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            depth += 1
        type_ = type_.of_type
    return depth


def _is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)
