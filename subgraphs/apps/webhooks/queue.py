"""The durable delivery queue in the apps database, and its log.

A delivery is a row of `webhook_delivery` (PENDING until it SUCCEEDED or FAILED), each attempt a
row of `webhook_attempt`. Senders share the queue without sending anything twice at once:

- **Claim** (`claim`): in one short transaction a sender takes due deliveries of enabled
  endpoints, writes its token in `claimed_by` and pushes `next_attempt_at` out by a lease (the
  attempt's time limit and a margin). On PostgreSQL the rows are chosen `FOR UPDATE SKIP LOCKED`,
  so concurrent senders take disjoint rows without waiting; on SQLite the claim takes the
  database's one write lock first, so claims run one after another.
- **Send** outside any transaction, then **record** (`record`): the attempt, and the delivery's
  new state, only if the sender still holds the claim. A sender that dies mid-attempt leaves its
  claim to lapse at the lease's end; another sender (or itself, restarted) then sends it again
  with the same `webhook-id`. That is the one case a receiver sees a message twice, and the id
  lets it tell.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from subgraphs.apps.models import AppRow, WebhookAttemptRow, WebhookDeliveryRow
from subgraphs.apps.webhooks.endpoint import (
    SILENCED_APP_STATUSES,
    DeliveryStatus,
    WebhookStatus,
    signing_secrets,
)
from subgraphs.apps.webhooks.http import Attempted
from subgraphs.apps.webhooks.schedule import RetrySchedule
from subgraphs.common.database import Database
from subgraphs.common.events import Event

DELIVERIES: sa.Table = WebhookDeliveryRow.__table__  # type: ignore[attr-defined]
ATTEMPTS: sa.Table = WebhookAttemptRow.__table__  # type: ignore[attr-defined]
APPS: sa.Table = AppRow.__table__  # type: ignore[attr-defined]
# Finished deliveries (and their attempts) are kept this long for the log.
LOG_RETENTION = timedelta(days=30)


def new_message_id() -> str:
    return f"msg_{secrets.token_hex(12)}"


# Payload keys the bus carries for the platform's own consumers, never sent out: credential
# material stays inside, even hashed, even to the app it belongs to.
WITHHELD_KEYS = frozenset({"client_secret_hash"})


def event_body(event: Event) -> str:
    """The JSON sent for a bus event, in the Standard Webhooks payload shape."""
    payload = {key: value for key, value in event.payload.items() if key not in WITHHELD_KEYS}
    ids = {
        "app_id": event.app_id,
        "installation_id": event.installation_id,
        "workspace_id": event.workspace_id,
    }
    data = {**{key: value for key, value in ids.items() if value is not None}, **payload}
    return body(event.type.value, event.occurred_at, data, event_id=event.id)


def body(event_type: str, moment: datetime, data: dict[str, Any], *, event_id: int | None) -> str:
    document: dict[str, Any] = {"type": event_type, "timestamp": moment.isoformat(), "data": data}
    if event_id is not None:
        document["event_id"] = event_id
    return orjson.dumps(document).decode()


def delivery_values(
    app_id: str, event_type: str, text: str, now: datetime, *, event_id: int | None = None
) -> dict[str, Any]:
    """A new delivery, due now."""
    return {
        "id": new_message_id(),
        "app_id": app_id,
        "event_id": event_id,
        "event_type": event_type,
        "body": text,
        "status": DeliveryStatus.PENDING.value,
        "attempt_count": 0,
        "schedule_step": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


async def take_write_lock(connection: AsyncConnection, database: Database) -> None:
    """On SQLite, write (nothing) first so this transaction holds the one write lock from now:
    in WAL mode a transaction that has read cannot always upgrade to writing later."""
    if database.is_sqlite:
        await connection.execute(
            sa.update(DELIVERIES).where(DELIVERIES.c.id == "").values(status=DELIVERIES.c.status)
        )


@dataclass(frozen=True)
class Claimed:
    """A delivery a sender holds: what it needs to send it."""

    id: str
    app_id: str
    url: str
    body: str
    secrets: list[str]
    schedule_step: int


async def claim(
    database: Database, token: str, now: datetime, *, limit: int, lease: timedelta
) -> list[Claimed]:
    due = (
        sa.select(DELIVERIES.c.id)
        .select_from(DELIVERIES.join(APPS, APPS.c.id == DELIVERIES.c.app_id))
        .where(
            DELIVERIES.c.status == DeliveryStatus.PENDING.value,
            DELIVERIES.c.next_attempt_at <= now,
            APPS.c.webhook_status == WebhookStatus.ENABLED.value,
            APPS.c.webhook_url.is_not(None),
            APPS.c.status.not_in(sorted(SILENCED_APP_STATUSES)),
        )
        .order_by(DELIVERIES.c.next_attempt_at)
        .limit(limit)
    )
    async with database.engine.begin() as connection:
        await take_write_lock(connection, database)
        if database.is_postgres:
            due = due.with_for_update(skip_locked=True, of=DELIVERIES)
        ids = list((await connection.execute(due)).scalars())
        if not ids:
            return []
        await connection.execute(
            sa.update(DELIVERIES)
            .where(DELIVERIES.c.id.in_(ids))
            .values(claimed_by=token, next_attempt_at=now + lease)
        )
        rows = await connection.execute(
            sa.select(
                DELIVERIES.c.id,
                DELIVERIES.c.app_id,
                DELIVERIES.c.body,
                DELIVERIES.c.schedule_step,
                APPS.c.webhook_url,
                APPS.c.webhook_secret,
                APPS.c.webhook_previous_secret,
                APPS.c.webhook_previous_secret_expires_at,
            )
            .select_from(DELIVERIES.join(APPS, APPS.c.id == DELIVERIES.c.app_id))
            .where(DELIVERIES.c.id.in_(ids))
        )
        return [
            Claimed(
                id=row.id,
                app_id=row.app_id,
                url=row.webhook_url,
                body=row.body,
                secrets=signing_secrets(
                    row.webhook_secret,
                    row.webhook_previous_secret,
                    row.webhook_previous_secret_expires_at,
                    now,
                ),
                schedule_step=row.schedule_step,
            )
            for row in rows
        ]


@dataclass(frozen=True)
class Outcome:
    """What recording an attempt did to its delivery."""

    status: DeliveryStatus
    next_attempt_at: datetime | None


async def record(
    connection: AsyncConnection,
    claimed: Claimed,
    attempted: Attempted,
    token: str,
    now: datetime,
    schedule: RetrySchedule,
) -> Outcome:
    """Log the attempt and move the delivery on: SUCCEEDED, PENDING for the next retry, or
    FAILED after the last one. Nothing changes but the log if the claim was lost meanwhile."""
    await connection.execute(
        sa.insert(ATTEMPTS).values(
            delivery_id=claimed.id,
            attempted_at=now,
            status_code=attempted.status_code,
            latency_ms=attempted.latency_ms,
            error=attempted.error,
            response_body=attempted.response_body,
        )
    )
    if attempted.succeeded:
        outcome = Outcome(DeliveryStatus.SUCCEEDED, None)
        step = claimed.schedule_step
    else:
        step = claimed.schedule_step + 1
        delay = schedule.delay_after(step)
        outcome = (
            Outcome(DeliveryStatus.FAILED, None)
            if delay is None
            else Outcome(DeliveryStatus.PENDING, now + delay)
        )
    await connection.execute(
        sa.update(DELIVERIES)
        .where(DELIVERIES.c.id == claimed.id, DELIVERIES.c.claimed_by == token)
        .values(
            status=outcome.status.value,
            next_attempt_at=outcome.next_attempt_at,
            schedule_step=step,
            attempt_count=DELIVERIES.c.attempt_count + 1,
            last_attempt_at=now,
            claimed_by=None,
        )
    )
    return outcome


async def queue_depth(database: Database) -> int:
    """Deliveries waiting to be sent (due or not): the gauge an operator watches."""
    async with database.engine.connect() as connection:
        count = await connection.scalar(
            sa.select(sa.func.count())
            .select_from(DELIVERIES)
            .where(DELIVERIES.c.status == DeliveryStatus.PENDING.value)
        )
    return int(count or 0)


async def prune(database: Database, now: datetime, *, older_than: timedelta = LOG_RETENTION) -> int:
    """Forget finished deliveries (and their attempts) created more than `older_than` ago."""
    old = sa.select(DELIVERIES.c.id).where(
        DELIVERIES.c.status != DeliveryStatus.PENDING.value,
        DELIVERIES.c.created_at < now - older_than,
    )
    async with database.engine.begin() as connection:
        await connection.execute(sa.delete(ATTEMPTS).where(ATTEMPTS.c.delivery_id.in_(old)))
        result = await connection.execute(sa.delete(DELIVERIES).where(DELIVERIES.c.id.in_(old)))
    return int(result.rowcount or 0)
