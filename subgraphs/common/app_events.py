"""The contract of the apps subgraph's events, shared by their publisher and their consumers.

Every app event (`APP_EVENTS`) carries the app's whole current state, so a consumer never needs
an earlier event to understand a later one: it upserts what it keeps from the snapshot, and
replaying an event is harmless. `AppSnapshot.payload()` writes the wire format (a JSON object with
snake_case keys, plus details of the change such as `changed_fields` or `reason`);
`AppSnapshot.of()` reads it back and raises `MalformedAppEvent` instead of guessing.
`follow_app_events` is the one way the other subgraphs keep their copies in step: each gives it
what to do with a snapshot, and it skips malformed events and survives failed writes alike.

The snapshot also carries what the authorization server (installs subgraph) needs to act for the
app as an OAuth client: its client id, redirect URIs and the SHA-256 hash of its client secret.
Only the hash travels: the secret is 256 random bits, so its hash reveals nothing usable, and the
apps subgraph stays the one owner of the credentials.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from subgraphs.common.events import Event, EventBus, EventType

if TYPE_CHECKING:
    from subgraphs.common.database import Database
    from subgraphs.common.positions import ConsumerPositions

logger = logging.getLogger(__name__)

APP_EVENTS = frozenset(
    {
        EventType.APP_PUBLISHED,
        EventType.APP_DEPRECATED,
        EventType.APP_STATUS_CHANGED,
        EventType.APP_UPDATED,
        EventType.APP_WEBHOOK_DISABLED,
    }
)


class MalformedAppEvent(ValueError):
    """An app event whose payload lacks a key of the contract or holds a value of another type."""


@dataclass(frozen=True)
class AppSnapshot:
    """An app as it is after the change an event announces."""

    app_id: str
    slug: str
    name: str
    description: str
    requested_scopes: tuple[str, ...]
    organization_id: str
    old_status: str | None  # None when the app was just created
    new_status: str
    change: str  # what happened: "create", "update", "publish", "suspend", ...
    publisher: str = ""  # the owner organization's name
    client_id: str = ""
    client_secret_hash: str | None = None  # None until the owner issues a secret
    redirect_uris: tuple[str, ...] = ()

    def payload(self, **details: Any) -> dict[str, Any]:
        """The event payload: the snapshot's keys, plus `details` about this change."""
        clashing = details.keys() & {field.name for field in fields(self)}
        if clashing:
            raise ValueError(f"details would overwrite the snapshot's {sorted(clashing)}")
        return {
            "app_id": self.app_id,
            "slug": self.slug,
            "name": self.name,
            "description": self.description,
            "requested_scopes": list(self.requested_scopes),
            "organization_id": self.organization_id,
            "old_status": self.old_status,
            "new_status": self.new_status,
            "change": self.change,
            "publisher": self.publisher,
            "client_id": self.client_id,
            "client_secret_hash": self.client_secret_hash,
            "redirect_uris": list(self.redirect_uris),
            **details,
        }

    @classmethod
    def of(cls, event: Event) -> AppSnapshot:
        if event.type not in APP_EVENTS:
            raise MalformedAppEvent(f"{event.type} is not an app event")
        payload = event.payload
        return cls(
            app_id=_read(payload, "app_id", str),
            slug=_read(payload, "slug", str),
            name=_read(payload, "name", str),
            description=_read(payload, "description", str),
            requested_scopes=_read_scopes(payload),
            organization_id=_read(payload, "organization_id", str),
            old_status=_read(payload, "old_status", str | None),
            new_status=_read(payload, "new_status", str),
            change=_read(payload, "change", str),
            publisher=_read(payload, "publisher", str),
            client_id=_read(payload, "client_id", str),
            client_secret_hash=_read(payload, "client_secret_hash", str | None),
            redirect_uris=_read_strings(payload, "redirect_uris"),
        )


def _read(payload: dict[str, Any], key: str, kind: Any) -> Any:
    if key not in payload:
        raise MalformedAppEvent(f"the payload has no {key!r}")
    value = payload[key]
    if not isinstance(value, kind):
        raise MalformedAppEvent(f"{key!r} has the wrong type: {type(value).__name__}")
    return value


def _read_scopes(payload: dict[str, Any]) -> tuple[str, ...]:
    return _read_strings(payload, "requested_scopes")


def _read_strings(payload: dict[str, Any], key: str) -> tuple[str, ...]:
    values = _read(payload, key, list)
    if not all(isinstance(value, str) for value in values):
        raise MalformedAppEvent(f"{key!r} holds something other than strings")
    return tuple(values)


ApplySnapshot = Callable[[AppSnapshot, Event], Awaitable[None]]


async def follow_app_events(
    positions: ConsumerPositions,
    database: Database,
    bus: EventBus,
    consumer: str,
    apply: ApplySnapshot,
) -> None:
    """Apply every app event after `consumer`'s stored position, until cancelled.

    A malformed event is logged and skipped, and a failed write is logged and passed over: a
    copy that stops on one bad event is worse than one that waits for the next, which carries
    the app's whole state again."""

    async def handle(event: Event) -> None:
        try:
            app = AppSnapshot.of(event)
        except MalformedAppEvent as error:
            logger.warning("Skipping malformed %s event %s: %s", event.type, event.id, error)
            return
        try:
            await apply(app, event)
        except Exception:
            logger.exception("%s could not apply %s event %s", consumer, event.type, event.id)

    await positions.follow(database, bus, consumer, handle, types=APP_EVENTS)
