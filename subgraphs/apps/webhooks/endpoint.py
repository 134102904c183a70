"""An app's webhook endpoint: its state, what it subscribes to, the secrets it is signed with."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from subgraphs.common.clock import as_utc
from subgraphs.common.events import EventType

# After a secret rotation, deliveries carry a signature with the old secret too, for this long,
# so receivers can switch secrets without dropping deliveries.
ROTATION_GRACE = timedelta(hours=24)
# An endpoint whose every attempt has failed for this long is disabled.
DISABLE_AFTER = timedelta(days=5)
# The type of the deliveries `sendTestWebhook` queues; no bus event has it.
TEST_EVENT_TYPE = "webhook.test"
# Events an endpoint may subscribe to: every bus event (those about the app reach it).
SUBSCRIBABLE_TYPES = tuple(sorted(event_type.value for event_type in EventType))
# Apps in these states receive nothing.
SILENCED_APP_STATUSES = frozenset({"SUSPENDED", "REMOVED"})


class WebhookStatus(enum.StrEnum):
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


class DeliveryStatus(enum.StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


def signing_secrets(
    current: str | None, previous: str | None, previous_expires_at: datetime | None, now: datetime
) -> list[str]:
    """The secrets a delivery made `now` is signed with: the current one, and the previous one
    while its grace period lasts."""
    found = [current] if current else []
    if previous and previous_expires_at is not None and as_utc(previous_expires_at) > now:
        found.append(previous)
    return found


def receives(
    url: str | None,
    endpoint_status: str | None,
    event_types: list[str],
    app_status: str,
    event_type: str,
) -> bool:
    """Whether an app's endpoint (its url, status and subscribed types) takes a new delivery of
    `event_type` now."""
    if not url or endpoint_status != WebhookStatus.ENABLED or app_status in SILENCED_APP_STATUSES:
        return False
    return not event_types or event_type in event_types
