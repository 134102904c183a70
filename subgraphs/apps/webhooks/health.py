"""An endpoint's health: persistent failure disables it, and says so on the bus.

Every failed attempt starts (or continues) the endpoint's failing streak, `webhook_failing_since`;
any success ends it. An attempt that fails when the streak is `DISABLE_AFTER` old disables the
endpoint, in the transaction that records the attempt, and stages an `app.webhook_disabled`
event (an `AppSnapshot`, with the streak's start) for the owner's notifications. Its pending
deliveries wait, untouched, until `updateWebhookEndpoint(enabled: true)` turns it back on.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.apps.models import OUTBOX, AppRow
from subgraphs.apps.snapshots import app_snapshot
from subgraphs.apps.webhooks.endpoint import DISABLE_AFTER, WebhookStatus
from subgraphs.apps.webhooks.queue import APPS
from subgraphs.common.clock import as_utc
from subgraphs.common.events import EventType


async def note_attempt(session: AsyncSession, app_id: str, succeeded: bool, now: datetime) -> bool:
    """Update the streak in `session`'s transaction; whether this attempt disabled the endpoint
    (its event is then staged in the outbox, to relay after the commit)."""
    connection = await session.connection()
    if succeeded:
        await connection.execute(
            sa.update(APPS)
            .where(APPS.c.id == app_id, APPS.c.webhook_failing_since.is_not(None))
            .values(webhook_failing_since=None)
        )
        return False
    await connection.execute(
        sa.update(APPS)
        .where(APPS.c.id == app_id, APPS.c.webhook_failing_since.is_(None))
        .values(webhook_failing_since=now)
    )
    row = await session.get(AppRow, app_id, populate_existing=True)
    if row is None or row.webhook_status != WebhookStatus.ENABLED:
        return False
    failing_since = as_utc(row.webhook_failing_since or now)
    if now - failing_since < DISABLE_AFTER:
        return False
    row.webhook_status = WebhookStatus.DISABLED
    row.webhook_disabled_at = now
    session.add(row)
    snapshot = await app_snapshot(session, row, old_status=row.status, change="disable webhook")
    await OUTBOX.add(
        session,
        EventType.APP_WEBHOOK_DISABLED,
        snapshot.payload(failing_since=failing_since.isoformat()),
        app_id=row.id,
    )
    return True
