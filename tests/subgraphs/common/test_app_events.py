"""App events: the apps subgraph writes snapshots that its consumers read back as they were."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from subgraphs.common.app_events import APP_EVENTS, AppSnapshot, MalformedAppEvent
from subgraphs.common.events import Event, EventType

CREATED = AppSnapshot(
    app_id="app_1",
    slug="ticket-tamer",
    name="Ticket Tamer",
    description="Tames tickets.",
    requested_scopes=("apps:read", "installs:read"),
    organization_id="org_1",
    old_status=None,
    new_status="DRAFT",
    change="create",
    publisher="Cobalt Works",
    client_id="client_1",
    client_secret_hash="sha256:00ff",
    redirect_uris=("https://tickets.example.com/cb",),
)


def event(payload: dict[str, Any], type: EventType = EventType.APP_UPDATED) -> Event:
    return Event(id=7, type=type, occurred_at=datetime.now(UTC), payload=payload, app_id="app_1")


def test_the_payload_is_the_wire_format_and_reads_back_through_json() -> None:
    payload = CREATED.payload(changed_fields=["name"])
    assert payload == {
        "app_id": "app_1",
        "slug": "ticket-tamer",
        "name": "Ticket Tamer",
        "description": "Tames tickets.",
        "requested_scopes": ["apps:read", "installs:read"],
        "organization_id": "org_1",
        "old_status": None,
        "new_status": "DRAFT",
        "change": "create",
        "publisher": "Cobalt Works",
        "client_id": "client_1",
        "client_secret_hash": "sha256:00ff",
        "redirect_uris": ["https://tickets.example.com/cb"],
        "changed_fields": ["name"],
    }
    # The Redis bus carries payloads as JSON.
    assert AppSnapshot.of(event(json.loads(json.dumps(payload)))) == CREATED


@pytest.mark.parametrize("type", sorted(APP_EVENTS))
def test_every_app_event_type_carries_a_snapshot(type: EventType) -> None:
    suspended = replace(CREATED, old_status="PUBLISHED", new_status="SUSPENDED", change="suspend")
    assert AppSnapshot.of(event(suspended.payload(reason="Phishing"), type)) == suspended


def without(key: str) -> dict[str, Any]:
    payload = CREATED.payload()
    del payload[key]
    return payload


def with_value(key: str, value: object) -> dict[str, Any]:
    return CREATED.payload() | {key: value}


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (without("app_id"), "the payload has no 'app_id'"),
        (without("old_status"), "the payload has no 'old_status'"),
        (without("requested_scopes"), "the payload has no 'requested_scopes'"),
        ({"appId": "app_1", "newStatus": "DRAFT"}, "the payload has no 'app_id'"),
        (with_value("new_status", None), "'new_status' has the wrong type: NoneType"),
        (with_value("old_status", 3), "'old_status' has the wrong type: int"),
        (with_value("requested_scopes", "apps:read"), "'requested_scopes' has the wrong type"),
        (with_value("requested_scopes", ["apps:read", 1]), "'requested_scopes' holds something"),
    ],
)
def test_malformed_payloads_are_refused(payload: dict[str, Any], problem: str) -> None:
    with pytest.raises(MalformedAppEvent, match=problem):
        AppSnapshot.of(event(payload))


def test_other_events_are_not_app_events() -> None:
    with pytest.raises(MalformedAppEvent, match="not an app event"):
        AppSnapshot.of(event(CREATED.payload(), EventType.INSTALLATION_CREATED))


def test_details_cannot_overwrite_the_snapshot() -> None:
    with pytest.raises(ValueError, match="new_status"):
        CREATED.payload(new_status="PUBLISHED")
