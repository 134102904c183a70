"""Webhook endpoints and client secrets: issued once, stored safely, announced without secrets."""

from __future__ import annotations

from sqlmodel import select

from subgraphs.apps.credentials import verify_client_secret
from subgraphs.apps.models import AppRow
from subgraphs.common.events import EventType
from subgraphs.demo.world import World
from tests.subgraphs.apps.conftest import app_with_status, owner_of
from tests.subgraphs.harness import SubgraphHarness

SET_WEBHOOK = """mutation($id: ID!, $url: String!) { setAppWebhook(id: $id, url: $url) {
    webhookUrl webhookSecret updatedAt
} }"""
ROTATE = """mutation($id: ID!) { rotateClientSecret(id: $id) {
    clientId clientSecret issuedAt app { id updatedAt }
} }"""


async def stored(harness: SubgraphHarness, app_id: str) -> AppRow:
    async with harness.database.session() as session:
        return (await session.exec(select(AppRow).where(AppRow.id == app_id))).one()


async def test_set_webhook_issues_a_new_secret(harness: SubgraphHarness, demo: World) -> None:
    app = demo.app("deploy-herald")
    url = "https://hooks.example.com/switchboard"
    data = await harness.data(SET_WEBHOOK, {"id": app.id, "url": url}, principal=owner_of(app))
    webhook = data["setAppWebhook"]
    assert webhook["webhookUrl"] == url
    assert webhook["webhookSecret"].startswith("whsec_")
    assert len(webhook["webhookSecret"]) == len(app.webhook_secret)
    assert webhook["webhookSecret"] != app.webhook_secret
    assert (await stored(harness, app.id)).webhook_secret == webhook["webhookSecret"]

    [event] = harness.bus.published
    assert event.type == EventType.APP_UPDATED
    assert event.payload["changed_fields"] == ["webhook_secret", "webhook_url"]
    assert webhook["webhookSecret"] not in repr(event.payload)


async def test_set_webhook_errors(harness: SubgraphHarness, demo: World) -> None:
    app = demo.app("deploy-herald")
    removed = app_with_status(demo, "REMOVED")
    cases = [
        (app.id, "http://hooks.example.com", owner_of(app), "BAD_USER_INPUT"),
        (app.id, "https://", owner_of(app), "BAD_USER_INPUT"),
        ("app_missing", "https://hooks.example.com", owner_of(app), "NOT_FOUND"),
        (app.id, "https://hooks.example.com", owner_of(removed), "FORBIDDEN"),
        (removed.id, "https://hooks.example.com", owner_of(removed), "INVALID_STATE_TRANSITION"),
    ]
    for id, url, principal, code in cases:
        errors = await harness.errors(SET_WEBHOOK, {"id": id, "url": url}, principal=principal)
        assert errors[0]["extensions"]["code"] == code, (url, errors)
    assert harness.bus.published == []


async def test_rotate_client_secret_returns_it_once_and_stores_a_hash(
    harness: SubgraphHarness, demo: World
) -> None:
    app = demo.app("deploy-herald")
    first = await harness.data(ROTATE, {"id": app.id}, principal=owner_of(app))
    issued = first["rotateClientSecret"]
    assert issued["clientId"] == app.client_id
    assert issued["app"] == {"id": app.id, "updatedAt": issued["issuedAt"]}
    row = await stored(harness, app.id)
    assert row.client_secret_hash is not None
    assert issued["clientSecret"] not in row.client_secret_hash
    assert verify_client_secret(issued["clientSecret"], row.client_secret_hash)

    second = await harness.data(ROTATE, {"id": app.id}, principal=owner_of(app))
    rotated = second["rotateClientSecret"]["clientSecret"]
    assert rotated != issued["clientSecret"]
    row = await stored(harness, app.id)
    assert verify_client_secret(rotated, row.client_secret_hash)
    assert not verify_client_secret(issued["clientSecret"], row.client_secret_hash)

    events = harness.bus.published
    assert [event.type for event in events] == [EventType.APP_UPDATED] * 2
    assert all(event.payload["changed_fields"] == ["client_secret"] for event in events)
    assert all(rotated not in repr(event.payload) for event in events)


async def test_rotate_client_secret_errors(harness: SubgraphHarness, demo: World) -> None:
    app = demo.app("deploy-herald")
    removed = app_with_status(demo, "REMOVED")
    for id, principal, code in (
        ("app_missing", owner_of(app), "NOT_FOUND"),
        (app.id, owner_of(removed), "FORBIDDEN"),
        (removed.id, owner_of(removed), "INVALID_STATE_TRANSITION"),
    ):
        errors = await harness.errors(ROTATE, {"id": id}, principal=principal)
        assert errors[0]["extensions"]["code"] == code
