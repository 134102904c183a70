"""The telemetry stage: traces, Prometheus metrics, structured logs and readiness.

- `tracing`: OpenTelemetry spans per request and stage, W3C `traceparent` in and out, OTLP export;
- `metrics`: the Prometheus metrics and the `/metrics` answer (multi-process with `--workers`);
- `logs`: JSON or console log records carrying the trace id, operation name and app;
- `instrumented_client`: a `SubgraphClient` wrapper that traces, counts and times each fetch;
- `readiness`: which subgraphs answered recently, for `/ready`.
"""
