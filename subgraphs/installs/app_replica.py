"""The local replica of the apps this subgraph must know about (`app_ref`).

Installing needs an app's status (only published apps install) and its requested scopes (the
ceiling of what may be granted). The installs subgraph cannot ask the apps subgraph, so it keeps
a copy: seeded from the demo world, then kept in step by `consume`, which follows the apps
subgraph's events on the bus. Payloads are read leniently (snake_case or camelCase, missing
fields kept as they were), because a replica that stops on one odd event is worse than one that
skips it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from subgraphs.common.clock import utc_now
from subgraphs.common.database import Database
from subgraphs.common.events import Event, EventBus, EventType
from subgraphs.installs.models import AppReferenceRow

logger = logging.getLogger(__name__)

APP_EVENTS = frozenset(
    {
        EventType.APP_PUBLISHED,
        EventType.APP_DEPRECATED,
        EventType.APP_UPDATED,
        EventType.APP_STATUS_CHANGED,
    }
)
# Events whose type alone says the app's new status.
STATUS_OF_EVENT = {EventType.APP_PUBLISHED: "PUBLISHED", EventType.APP_DEPRECATED: "DEPRECATED"}
STATUS_KEYS = ("new_status", "newStatus", "status", "to")
SCOPES_KEYS = ("requested_scopes", "requestedScopes", "scopes")
APP_ID_KEYS = ("app_id", "appId", "id")


@dataclass(frozen=True)
class AppChange:
    """What one event says about one app; `None` means the event does not say."""

    app_id: str
    status: str | None
    requested_scopes: list[str] | None

    @classmethod
    def of(cls, event: Event) -> AppChange | None:
        payload = event.payload
        app = payload.get("app")
        # Some publishers nest the app's fields; read them as if they were at the top.
        if isinstance(app, Mapping):
            payload = {**app, **payload}
        app_id = event.app_id or _first(payload, APP_ID_KEYS)
        if not isinstance(app_id, str) or not app_id:
            return None
        status = _first(payload, STATUS_KEYS)
        if not isinstance(status, str):
            status = STATUS_OF_EVENT.get(event.type)
        scopes = _first(payload, SCOPES_KEYS)
        if not isinstance(scopes, list | tuple) or not all(isinstance(s, str) for s in scopes):
            scopes = None
        return cls(
            app_id=app_id,
            status=status.upper() if status else None,
            requested_scopes=list(scopes) if scopes is not None else None,
        )


async def apply(database: Database, change: AppChange) -> bool:
    """Upsert the replica with what `change` says; `False` when it was ignored.

    A known app takes whatever the event says. An app seen for the first time is recorded only
    when its requested scopes are known: without them nothing could be granted anyway, and the
    app's created or updated event, which carries them, will record it.
    """
    async with database.session() as session:
        row = await session.get(AppReferenceRow, change.app_id)
        if row is None:
            if change.requested_scopes is None:
                logger.info("Ignoring an event about unknown app %s", change.app_id)
                return False
            row = AppReferenceRow(
                id=change.app_id,
                status=change.status or "DRAFT",
                requested_scopes=change.requested_scopes,
                updated_at=utc_now(),
            )
        else:
            if change.status is not None:
                row.status = change.status
            if change.requested_scopes is not None:
                row.requested_scopes = change.requested_scopes
            row.updated_at = utc_now()
        session.add(row)
        await session.commit()
    return True


async def consume(database: Database, bus: EventBus) -> None:
    """Follow the apps subgraph's events forever (the server cancels this task on shutdown)."""
    async for event in bus.subscribe(types=APP_EVENTS):
        change = AppChange.of(event)
        if change is None:
            logger.warning("Ignoring %s event %s without an app id", event.type, event.id)
            continue
        try:
            await apply(database, change)
        except Exception:
            # One failed write must not stop the replica; the next event about the app repairs it.
            logger.exception("Could not apply %s event %s", event.type, event.id)


def _first(payload: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    return next((payload[key] for key in keys if payload.get(key) is not None), None)
