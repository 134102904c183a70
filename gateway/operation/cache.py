"""`OperationCache`: a repeated operation is parsed, validated and normalized once.

A least-recently-used cache keyed by (schema identity, source text, operation name), bounded by
the bytes its entries hold (`gateway.lru`) as well as by their number. Only operations that
passed every check are kept: caching refusals would let a client fill the cache with texts
that never run. A refusal costs a parse and a validation again, which the body limit and
the parser limits bound.

`prepare_async` is what the request path calls: a large text is prepared on a worker thread,
so parsing and validating it never holds the event loop for long.
"""

from __future__ import annotations

import asyncio

from graphql import GraphQLSchema

from gateway.footprint import footprint
from gateway.lru import ByteBoundedLru
from gateway.operation.limits import OperationLimits
from gateway.operation.prepare import NO_LIMITS, prepare
from gateway.operation.prepared import PreparedOperation

DEFAULT_CAPACITY = 1024
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
# Texts up to this size are parsed and validated on the event loop in well under a
# millisecond or two; larger ones go to a thread (measured with bench/attacks.py).
OFF_LOOP_SOURCE_BYTES = 4096

CacheKey = tuple[int, str, str | None]


class OperationCache:
    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        limits: OperationLimits = NO_LIMITS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        *,
        introspection: bool = True,
    ) -> None:
        self.limits = limits
        self.introspection = introspection
        self._entries: ByteBoundedLru[CacheKey, tuple[GraphQLSchema, PreparedOperation]] = (
            ByteBoundedLru(max_bytes, capacity)
        )

    @property
    def hits(self) -> int:
        return self._entries.hits

    @property
    def misses(self) -> int:
        return self._entries.misses

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """What the cached operations hold, as `gateway.footprint` measures it."""
        return self._entries.bytes

    @property
    def max_bytes(self) -> int:
        return self._entries.max_bytes

    def prepare(
        self, source: str, operation_name: str | None, schema: GraphQLSchema
    ) -> PreparedOperation:
        found = self._cached(source, operation_name, schema)
        if found is not None:
            return found
        prepared, size = self._prepare(source, operation_name, schema)
        return self._store(source, operation_name, schema, prepared, size)

    async def prepare_async(
        self, source: str, operation_name: str | None, schema: GraphQLSchema
    ) -> PreparedOperation:
        found = self._cached(source, operation_name, schema)
        if found is not None:
            return found
        if len(source) <= OFF_LOOP_SOURCE_BYTES:
            prepared, size = self._prepare(source, operation_name, schema)
        else:
            prepared, size = await asyncio.to_thread(self._prepare, source, operation_name, schema)
        return self._store(source, operation_name, schema, prepared, size)

    def _cached(
        self, source: str, operation_name: str | None, schema: GraphQLSchema
    ) -> PreparedOperation | None:
        entry = self._entries.get((id(schema), source, operation_name))
        # The id of a schema that was garbage collected can be reused; keeping the schema in
        # the entry both prevents that and lets us check identity.
        if entry is not None and entry[0] is schema:
            return entry[1]
        return None

    def _prepare(
        self, source: str, operation_name: str | None, schema: GraphQLSchema
    ) -> tuple[PreparedOperation, int]:
        """The prepared operation and the bytes it holds (measured here, off the loop too)."""
        prepared = prepare(
            source, operation_name, schema, self.limits, introspection=self.introspection
        )
        return prepared, footprint((source, prepared))

    def _store(
        self,
        source: str,
        operation_name: str | None,
        schema: GraphQLSchema,
        prepared: PreparedOperation,
        size: int,
    ) -> PreparedOperation:
        self._entries.put((id(schema), source, operation_name), (schema, prepared), size)
        return prepared
