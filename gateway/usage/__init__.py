"""The usage stage: one record per operation, sent off the request path to the metrics
subgraph (docs/design/metering.md).

- `record`: the record, and what a request collects for it;
- `recorder`: the bounded buffer and the background sender (batches, retries, shutdown);
- `sink`: where batches go; `ingestion`, the metrics subgraph's `recordUsage`, called with a
  client-credentials token (imported when used: it loads authlib);
- `config`: the `usage:` section.
"""

from gateway.usage.config import UsageConfig
from gateway.usage.record import FETCH_TIMINGS, RequestUsage, UsageRecord, add_fetch_timing
from gateway.usage.recorder import UsageRecorder
from gateway.usage.sink import UsageSink

__all__ = [
    "FETCH_TIMINGS",
    "RequestUsage",
    "UsageConfig",
    "UsageRecord",
    "UsageRecorder",
    "UsageSink",
    "add_fetch_timing",
]
