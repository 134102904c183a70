"""Shaping: the merged subgraph data → the client's response, in one pass.

Walks the normalized selection set against the API schema: response keys (aliases) in the
client's document order, `__typename` from the data or the parent type, type conditions on
abstract types, `@skip`/`@include` with variables, leaf values checked and passed through, and
non-null propagation as the GraphQL spec defines it (a null in a non-null position nulls the
nearest nullable ancestor). No resolver runs: the data is already there.

What is known before the data arrives is worked out once per operation (`shape_plan.py`):
which fields each object answers, and for each field a completer chosen for its type. Per
request this module only walks the data through those completers. Response paths are linked
pairs `(parent, key)`, turned into lists only when an error needs one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from gateway.execution.client import JsonObject, malformed_response
from gateway.execution.paths import ResponsePath

RESPONSE_VALIDATION_FAILED = "RESPONSE_VALIDATION_FAILED"


class _Propagate:
    """A null that must reach the nearest nullable position; its error is already reported."""


PROPAGATE: Final[_Propagate] = _Propagate()
ServiceLookup = Callable[[ResponsePath], str | None]
PathCheck = Callable[[ResponsePath], bool]
# A response path as linked pairs: None at the root, else (parent path, key or index).
LinkedPath = tuple[Any, str | int] | None


def response_path(parent: LinkedPath, key: str | int) -> list[str | int]:
    steps: list[str | int] = [key]
    while parent is not None:
        parent, step = parent
        steps.append(step)
    steps.reverse()
    return steps


class ShapingRun:
    """One request's shaping: where its errors go and how to name the service behind a value."""

    __slots__ = ("cost", "errors", "nulled_by_subgraph", "propagated", "service_at")

    def __init__(
        self,
        errors: list[JsonObject],
        service_at: ServiceLookup,
        nulled_by_subgraph: PathCheck,
    ) -> None:
        self.errors = errors
        self.service_at = service_at
        self.nulled_by_subgraph = nulled_by_subgraph
        # The weights of the values written so far, in a plan that counts them (`shape_cost.py`).
        self.cost = 0
        # Whether a value was nulled over an error (every PROPAGATE starts in the two methods
        # below): what was counted under it is no longer in the response.
        self.propagated = False

    def malformed(self, parent: LinkedPath, key: str | int, detail: str) -> _Propagate:
        """A value of the wrong type for its field: an error naming the service, then null."""
        self.propagated = True
        path = response_path(parent, key)
        service = self.service_at(tuple(path)) or "unknown"
        self.errors.append(malformed_response(service, detail).error(path))
        return PROPAGATE

    def null_violation(self, parent: LinkedPath, key: str | int, coordinate: str) -> _Propagate:
        """Report a null in a non-null position, unless an error at, above or below this path
        already explains it (a failed fetch, a subgraph's own error), or the subgraph nulled
        the parent object over an error at another of its fields: that error is the one
        explaining this null too, whichever field the client listed first."""
        self.propagated = True
        path = response_path(parent, key)
        for error in self.errors:
            error_path = error.get("path")
            if isinstance(error_path, list):
                shorter = min(len(error_path), len(path))
                if error_path[:shorter] == path[:shorter]:
                    return PROPAGATE
        if self.nulled_by_subgraph(tuple(path)):
            return PROPAGATE
        self.errors.append(
            {
                "message": f"Cannot return null for non-nullable field {coordinate}.",
                "path": path,
                "extensions": {"code": RESPONSE_VALIDATION_FAILED},
            }
        )
        return PROPAGATE


# A field's completer: (value from the data, parent path, response key or index, run) → the
# value to answer, or PROPAGATE.
Completer = Callable[[Any, LinkedPath, str | int, ShapingRun], object]


class NoShortcut:
    """No value has this class: the field always goes through its completer."""


# An object's fields: (response key, completer, whether the field is non-null, shortcut).
# The shortcut is the class a valid value of a leaf field usually has (`str` for String and
# ID, `bool`, `float`); a value of exactly that class is answered as it is, without calling
# the completer. Most of a response is such leaves.
ObjectFields = tuple[tuple[str, Completer, bool, type], ...]


# Objects an `ObjectShaper` shapes by looping over its fields before it writes them out as a
# function: writing one costs ~25 µs a field, shaping an object by the loop ~0.1 µs a field more
# than by the function, so an operation answered once never pays for the writing, and one
# answered often pays it once.
WRITE_AFTER = 200

Shape = Callable[[JsonObject, LinkedPath, ShapingRun], "JsonObject | _Propagate"]


class ObjectShaper:
    """Shapes objects with `fields`: `shape(value, path, run)` answers the shaped object, or
    PROPAGATE. Field by field (`shape_object`) at first, then by a function written for the
    fields (`written_shaper`), which answers the same."""

    __slots__ = ("_uses", "fields", "shape")

    def __init__(self, fields: ObjectFields) -> None:
        self.fields = fields
        self._uses = 0
        self.shape: Shape = self._by_loop

    def _by_loop(
        self, value: JsonObject, path: LinkedPath, run: ShapingRun
    ) -> JsonObject | _Propagate:
        self._uses += 1
        if self._uses == WRITE_AFTER:
            self.shape = written_shaper(self.fields)
        return shape_object(self.fields, value, path, run)


def shape_object(
    fields: ObjectFields, value: JsonObject, path: LinkedPath, run: ShapingRun
) -> JsonObject | _Propagate:
    result: JsonObject = {}
    get = value.get
    for key, complete, non_null, shortcut in fields:
        field_value = get(key)
        if field_value.__class__ is shortcut:
            result[key] = field_value
            continue
        shaped = complete(field_value, path, key, run)
        if shaped is PROPAGATE:
            if non_null:
                return PROPAGATE
            shaped = None
        result[key] = shaped
    return result


def written_shaper(fields: ObjectFields) -> Shape:
    """`shape_object` for these fields, written out as a function of its own: one statement
    per field, in order (its value read, answered as it is when of the shortcut class, else
    completed; a non-null field's PROPAGATE returned before the next field is looked at, a
    nullable one's answered null), then the answer built at once. Shaping is most of a large
    response's cost, and the loop spends it unpacking each field's entry and filling the
    answer key by key (docs/benchmarks.md)."""
    namespace: dict[str, Any] = {"PROPAGATE": PROPAGATE}
    lines = ["def shape(value, path, run):", "    get = value.get"]
    for index, (key, complete, non_null, shortcut) in enumerate(fields):
        namespace[f"k{index}"] = key
        namespace[f"c{index}"] = complete
        namespace[f"s{index}"] = shortcut
        value, call = f"v{index}", f"c{index}(v{index}, path, k{index}, run)"
        lines.append(f"    {value} = get(k{index})")
        indent = "    "
        if shortcut is not NoShortcut:
            lines.append(f"    if {value}.__class__ is not s{index}:")
            indent = "        "
        lines.append(f"{indent}{value} = {call}")
        lines.append(f"{indent}if {value} is PROPAGATE:")
        lines.append(f"{indent}    " + ("return PROPAGATE" if non_null else f"{value} = None"))
    answer = ", ".join(f"k{index}: v{index}" for index in range(len(fields)))
    lines.append(f"    return {{{answer}}}")
    # Only names made here and the fields' own objects (through `namespace`) appear in the
    # source: response keys are not written into it.
    exec(compile("\n".join(lines), "<shaping>", "exec"), namespace)
    shape: Shape = namespace["shape"]
    return shape
