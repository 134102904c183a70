"""`OperationCache`: a repeated operation is parsed, validated and normalized once.

A bounded LRU keyed by (schema identity, source text, operation name). Refusals are cached too:
a client retrying an invalid operation costs a lookup, not a validation.
"""

from __future__ import annotations

from collections import OrderedDict

from graphql import GraphQLSchema

from gateway.operation.errors import OperationError
from gateway.operation.limits import OperationLimits
from gateway.operation.prepare import NO_LIMITS, prepare
from gateway.operation.prepared import PreparedOperation

DEFAULT_CAPACITY = 1024


class OperationCache:
    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, limits: OperationLimits = NO_LIMITS
    ) -> None:
        self.capacity = capacity
        self.limits = limits
        self._entries: OrderedDict[
            tuple[int, str, str | None],
            tuple[GraphQLSchema, PreparedOperation | OperationError],
        ] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def prepare(
        self, source: str, operation_name: str | None, schema: GraphQLSchema
    ) -> PreparedOperation:
        key = (id(schema), source, operation_name)
        entry = self._entries.get(key)
        # The id of a schema that was garbage collected can be reused; keeping the schema in
        # the entry both prevents that and lets us check identity.
        if entry is not None and entry[0] is schema:
            self._entries.move_to_end(key)
            outcome = entry[1]
        else:
            try:
                outcome = prepare(source, operation_name, schema, self.limits)
            except OperationError as error:
                outcome = error
            self._entries[key] = (schema, outcome)
            if len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        if isinstance(outcome, OperationError):
            # A fresh exception each time: re-raising one instance would grow its traceback.
            raise OperationError(outcome.code, outcome.errors)
        return outcome
