"""The webhook sender's Prometheus metrics: how many deliveries wait, and how attempts end.

`switchboard dev` runs the sender inside its own process, so these appear on the gateway's
`/metrics` there; `python -m subgraphs.apps.webhooks --metrics-port P` serves them on their own.
The queue depth is a count over the shared queue (every sender sees the same number); attempts
are this process's own.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from subgraphs.apps.webhooks import queue
from subgraphs.common.database import Database

QUEUE_DEPTH = Gauge(
    "switchboard_webhook_queue_depth",
    "Webhook deliveries waiting to be sent, due now or retrying later",
    multiprocess_mode="max",
)
ATTEMPTS = Counter(
    "switchboard_webhook_attempts",
    "Webhook delivery attempts by this sender, by result (succeeded, failed) and the status "
    "the delivery was left in (PENDING: to be retried, SUCCEEDED, FAILED: given up)",
    ["result", "status"],
)


def count_attempt(succeeded: bool, status: str) -> None:
    ATTEMPTS.labels("succeeded" if succeeded else "failed", status).inc()


async def refresh_queue_depth(database: Database) -> int:
    depth = await queue.queue_depth(database)
    QUEUE_DEPTH.set(depth)
    return depth
