"""`InstrumentedSubgraphClient`: each subgraph fetch traced, timed, counted and remembered
(its time also goes to the request's usage record, when one is kept).

It wraps the real `SubgraphClient`, so the executor and the HTTP client know nothing of
telemetry. A fetch's span carries the subgraph's name and the outcome (`ok` or the error code,
with the HTTP status when there is one); its context goes to the subgraph as `traceparent`.
"""

from __future__ import annotations

import dataclasses
import time

from opentelemetry.trace import SpanKind, StatusCode

from gateway.execution.client import (
    GraphLike,
    SubgraphClient,
    SubgraphFetchError,
    SubgraphRequest,
    SubgraphResponse,
)
from gateway.telemetry.metrics import SUBGRAPH_FETCH_DURATION, SUBGRAPH_FETCH_ERRORS
from gateway.telemetry.readiness import SubgraphHealth
from gateway.telemetry.tracing import Tracing, inject
from gateway.usage.record import add_fetch_timing


class InstrumentedSubgraphClient:
    def __init__(self, inner: SubgraphClient, tracing: Tracing, health: SubgraphHealth) -> None:
        self.inner = inner
        self.tracing = tracing
        self.health = health

    async def fetch(self, graph: GraphLike, request: SubgraphRequest) -> SubgraphResponse:
        if self.tracing.tracer is None:
            return await self._measured(graph, request)
        with self.tracing.tracer.start_as_current_span(
            f"fetch {graph.name}",
            kind=SpanKind.CLIENT,
            attributes={"subgraph.name": graph.name, "url.full": graph.url},
        ) as span:
            headers = dict(request.headers)
            inject(headers)
            try:
                response = await self._measured(
                    graph, dataclasses.replace(request, headers=headers)
                )
            except SubgraphFetchError as failure:
                code = str(failure.extensions.get("code"))
                span.set_attribute("subgraph.status", code)
                http = failure.extensions.get("http")
                if isinstance(http, dict) and "status" in http:
                    span.set_attribute("http.response.status_code", http["status"])
                span.set_status(StatusCode.ERROR, failure.message)
                raise
            span.set_attribute("subgraph.status", "ok")
            if response.errors:
                span.set_attribute("subgraph.errors", len(response.errors))
            return response

    async def _measured(self, graph: GraphLike, request: SubgraphRequest) -> SubgraphResponse:
        started = time.perf_counter()
        try:
            response = await self.inner.fetch(graph, request)
        except SubgraphFetchError as failure:
            SUBGRAPH_FETCH_ERRORS.labels(graph.name, str(failure.extensions.get("code"))).inc()
            raise
        finally:
            elapsed = time.perf_counter() - started
            SUBGRAPH_FETCH_DURATION.labels(graph.name).observe(elapsed)
            add_fetch_timing(graph.name, elapsed * 1000)
        self.health.answered(graph.name)
        return response
