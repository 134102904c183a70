"""Events from real mutations reach a real receiver, signed, retried and logged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from prometheus_client import REGISTRY

from subgraphs.apps.credentials import new_webhook_secret
from subgraphs.apps.webhooks import queue
from subgraphs.common.clock import utc_now
from subgraphs.common.events import EventType
from subgraphs.common.principal import ADMIN_SCOPE, Principal
from subgraphs.demo.world import World
from subgraphs.installs.subgraph import SUBGRAPH as INSTALLS
from tests.subgraphs.apps.conftest import app_with_status, owner_of
from tests.subgraphs.apps.webhooks.conftest import Platform, running, sender_for
from tests.subgraphs.conftest import MakeHarness
from tests.waiting import eventually

UPDATE = """mutation($id: ID!, $description: String!) {
  updateApp(id: $id, input: {description: $description}) { id }
}"""
DEPRECATE = "mutation($id: ID!) { deprecateApp(id: $id) { id } }"
UPDATE_ENDPOINT = """mutation($id: ID!, $input: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(appId: $id, input: $input) {
    webhookSecret webhookEndpoint { status eventTypes }
  }
}"""


async def test_events_of_mutations_arrive_signed(platform: Platform, demo: World) -> None:
    app = app_with_status(demo, "PUBLISHED")
    owner = owner_of(app)
    await platform.set_endpoint(app.id, owner)
    await platform.apps.data(
        UPDATE, {"id": app.id, "description": "Now with webhooks."}, principal=owner
    )
    await platform.apps.data(DEPRECATE, {"id": app.id}, principal=owner)

    received = await eventually(platform.receiver.accepted, lambda found: len(found) == 3)
    assert all(platform.verified(delivery) for delivery in received)
    assert not any(delivery.verifies_with(new_webhook_secret()) for delivery in received)
    # Deliveries go out concurrently: receivers order by the payload, not by arrival.
    assert sorted((d.event_type, d.data["change"]) for d in received) == [
        ("app.deprecated", "deprecate"),
        ("app.updated", "set webhook"),
        ("app.updated", "update"),
    ]
    assert {delivery.data["app_id"] for delivery in received} == {app.id}
    assert not any("client_secret_hash" in delivery.data for delivery in received)
    assert all(delivery.data["client_id"] == app.client_id for delivery in received)
    assert len({delivery.message_id for delivery in received}) == 3
    assert all(delivery.headers["webhook-signature"].startswith("v1,") for delivery in received)

    log = await eventually(
        lambda: platform.log(app.id, owner, status="SUCCEEDED"),
        lambda log: len(log["webhookDeliveries"]["nodes"]) == 3,
    )
    nodes = log["webhookDeliveries"]["nodes"]
    assert [node["eventType"] for node in nodes] == ["app.deprecated", "app.updated", "app.updated"]
    assert {node["id"] for node in nodes} == {delivery.message_id for delivery in received}
    assert all(node["status"] == "SUCCEEDED" and node["attemptCount"] == 1 for node in nodes)
    assert all(node["attempts"][0]["statusCode"] == 200 for node in nodes)


async def test_three_failures_then_success_is_one_delivery_of_four_attempts(
    platform: Platform, demo: World
) -> None:
    app = app_with_status(demo, "PUBLISHED")
    owner = owner_of(app)
    platform.receiver.fail_first = 3
    await platform.set_endpoint(app.id, owner)

    accepted = await eventually(platform.receiver.accepted, lambda found: len(found) == 1)
    await eventually(
        lambda: platform.log(app.id, owner),
        lambda log: log["webhookDeliveries"]["nodes"][0]["status"] == "SUCCEEDED",
    )
    requests = [d for d in platform.receiver.received if d.message_id == accepted[0].message_id]
    assert [request.answered for request in requests] == [500, 500, 500, 200]
    assert all(platform.verified(request) for request in requests)
    # Each attempt is signed anew (its own timestamp) but keeps the message id.
    assert len(platform.receiver.received) == 4

    log = await platform.log(app.id, owner)
    (delivery,) = log["webhookDeliveries"]["nodes"]
    assert delivery["id"] == accepted[0].message_id
    assert delivery["attemptCount"] == 4
    attempts = delivery["attempts"]
    assert [attempt["statusCode"] for attempt in attempts] == [500, 500, 500, 200]
    assert [attempt["error"] for attempt in attempts] == ["HTTP 500"] * 3 + [None]
    assert [attempt["responseBody"] for attempt in attempts] == ["nope"] * 3 + ["ok"]
    assert all(attempt["latencyMs"] > 0 for attempt in attempts)
    assert log["webhookEndpoint"]["failingSince"] is None  # the success ended the streak


async def test_endpoint_receives_only_its_event_types(platform: Platform, demo: World) -> None:
    app = app_with_status(demo, "PUBLISHED")
    owner = owner_of(app)
    await platform.set_endpoint(app.id, owner)
    await eventually(platform.receiver.accepted, lambda found: len(found) == 1)
    data = await platform.apps.data(
        UPDATE_ENDPOINT,
        {"id": app.id, "input": {"eventTypes": ["app.deprecated"]}},
        principal=owner,
    )
    assert data["updateWebhookEndpoint"]["webhookEndpoint"]["eventTypes"] == ["app.deprecated"]
    await platform.apps.data(UPDATE, {"id": app.id, "description": "Filtered."}, principal=owner)
    await platform.apps.data(DEPRECATE, {"id": app.id}, principal=owner)

    received = await eventually(platform.receiver.accepted, lambda found: len(found) == 2)
    assert [delivery.event_type for delivery in received] == ["app.updated", "app.deprecated"]
    errors = await platform.apps.errors(
        UPDATE_ENDPOINT, {"id": app.id, "input": {"eventTypes": ["app.nope"]}}, principal=owner
    )
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_rotation_signs_with_old_and_new_secret(platform: Platform, demo: World) -> None:
    app = app_with_status(demo, "PUBLISHED")
    owner = owner_of(app)
    old = await platform.set_endpoint(app.id, owner)
    await eventually(platform.receiver.accepted, lambda found: len(found) == 1)
    data = await platform.apps.data(
        "mutation($id: ID!) { rotateWebhookSecret(appId: $id) { webhookSecret } }",
        {"id": app.id},
        principal=owner,
    )
    new = data["rotateWebhookSecret"]["webhookSecret"]
    assert new != old
    received = await eventually(platform.receiver.accepted, lambda found: len(found) == 2)
    rotated = received[1]
    assert rotated.data["changed_fields"] == ["webhook_secret"]
    # Each secret alone verifies it: receivers may switch at any time within the grace period.
    assert platform.verified(rotated, old)
    assert platform.verified(rotated, new)
    assert len(rotated.headers["webhook-signature"].split(" ")) == 2
    log = await platform.log(app.id, owner)
    assert log["webhookEndpoint"]["previousSecretExpiresAt"] is not None


async def test_test_webhook_and_redelivery_keep_the_message_id(
    platform: Platform, demo: World
) -> None:
    app = app_with_status(demo, "PUBLISHED")
    owner = owner_of(app)
    await platform.set_endpoint(app.id, owner)
    await eventually(platform.receiver.accepted, lambda found: len(found) == 1)
    # The app itself, with an app-level token (no installation).
    itself = Principal(app_id=app.id, scopes=frozenset({"apps:read", "apps:write"}))
    data = await platform.apps.data(
        "mutation($id: ID!) { sendTestWebhook(appId: $id) { id eventType status } }",
        {"id": app.id},
        principal=itself,
    )
    test = data["sendTestWebhook"]
    assert (test["eventType"], test["status"]) == ("webhook.test", "PENDING")
    received = await eventually(platform.receiver.accepted, lambda found: len(found) == 2)
    assert received[1].message_id == test["id"]
    assert received[1].event_type == "webhook.test"
    assert platform.verified(received[1])

    await eventually(
        lambda: platform.log(app.id, itself, eventType="webhook.test"),
        lambda log: log["webhookDeliveries"]["nodes"][0]["status"] == "SUCCEEDED",
    )
    data = await platform.apps.data(
        "mutation($id: ID!) { redeliverWebhook(id: $id) { id status } }",
        {"id": test["id"]},
        principal=owner,
    )
    assert data["redeliverWebhook"] == {"id": test["id"], "status": "PENDING"}
    received = await eventually(platform.receiver.accepted, lambda found: len(found) == 3)
    assert received[2].message_id == test["id"]
    log = await eventually(
        lambda: platform.log(app.id, owner, eventType="webhook.test"),
        lambda log: log["webhookDeliveries"]["nodes"][0]["status"] == "SUCCEEDED",
    )
    assert log["webhookDeliveries"]["nodes"][0]["attemptCount"] == 2


async def test_persistent_failure_disables_the_endpoint_until_re_enabled(
    platform: Platform, demo: World
) -> None:
    app = app_with_status(demo, "PUBLISHED")
    owner = owner_of(app)
    await platform.set_endpoint(app.id, owner)
    await platform.delivered(app.id, owner, 1)
    # Every attempt has failed for six days, as far as the endpoint's record goes.
    async with platform.apps.database.engine.begin() as connection:
        await connection.execute(
            sa.update(queue.APPS)
            .where(queue.APPS.c.id == app.id)
            .values(webhook_failing_since=utc_now() - timedelta(days=6))
        )
    platform.receiver.fail_first = 1
    await platform.apps.data(UPDATE, {"id": app.id, "description": "Failing."}, principal=owner)

    log = await eventually(
        lambda: platform.log(app.id, owner),
        lambda log: log["webhookEndpoint"]["status"] == "DISABLED",
    )
    assert log["webhookEndpoint"]["disabledAt"] is not None
    disabled = await eventually(
        lambda: [e for e in platform.bus.published if e.type == EventType.APP_WEBHOOK_DISABLED]
    )
    assert disabled[0].app_id == app.id
    assert disabled[0].payload["change"] == "disable webhook"
    waiting = log["webhookDeliveries"]["nodes"][0]
    assert (waiting["status"], waiting["attemptCount"]) == ("PENDING", 1)

    data = await platform.apps.data(
        UPDATE_ENDPOINT, {"id": app.id, "input": {"enabled": True}}, principal=owner
    )
    assert data["updateWebhookEndpoint"]["webhookEndpoint"]["status"] == "ENABLED"

    def resumed_delivery(log: dict[str, Any]) -> dict[str, Any]:
        return next(n for n in log["webhookDeliveries"]["nodes"] if n["id"] == waiting["id"])

    log = await eventually(
        lambda: platform.log(app.id, owner),
        lambda log: resumed_delivery(log)["status"] == "SUCCEEDED",
    )
    resumed = resumed_delivery(log)
    assert [attempt["statusCode"] for attempt in resumed["attempts"]] == [500, 200]


async def test_a_hostile_address_is_refused_at_delivery(platform: Platform, demo: World) -> None:
    app = app_with_status(demo, "PUBLISHED")
    owner = owner_of(app)
    # https and a public-looking name pass validation; the address it resolves to does not.
    await platform.set_endpoint(app.id, owner, url="https://metadata.example.test/hooks")
    log = await eventually(
        lambda: platform.log(app.id, owner),
        # Nodes, not totalCount: the count is a second statement, which may see a newer row.
        lambda log: [n["attemptCount"] >= 1 for n in log["webhookDeliveries"]["nodes"]] == [True],
    )
    attempt = log["webhookDeliveries"]["nodes"][0]["attempts"][0]
    assert attempt["statusCode"] is None
    assert "169.254.169.254" in attempt["error"]
    assert platform.receiver.received == []


async def test_two_senders_share_the_queue_without_sending_twice(
    platform: Platform, demo: World
) -> None:
    app = app_with_status(demo, "PUBLISHED")
    owner = owner_of(app)
    await platform.set_endpoint(app.id, owner)
    await eventually(platform.receiver.accepted, lambda found: len(found) == 1)
    platform.receiver.delay = 0.02
    async with running(sender_for(platform.apps, platform.bus), resume=True):
        for _ in range(24):
            await platform.apps.data(
                "mutation($id: ID!) { sendTestWebhook(appId: $id) { id } }",
                {"id": app.id},
                principal=owner,
            )
        received = await eventually(
            platform.receiver.accepted, lambda found: len(found) == 25, seconds=20
        )
    ids = [delivery.message_id for delivery in platform.receiver.received]
    assert len(ids) == len(set(ids)) == 25
    assert all(platform.verified(delivery) for delivery in received)


async def test_events_of_the_apps_installations_reach_it(
    platform: Platform, demo: World, make_harness: MakeHarness
) -> None:
    """An event another subgraph publishes about the app (here installs) reaches its endpoint."""
    installs = await make_harness(INSTALLS, seed=True, bus=platform.bus)
    app = app_with_status(demo, "PUBLISHED")
    owner = owner_of(app)
    await platform.set_endpoint(app.id, owner)
    installed = {i.workspace_id for i in demo.installations if i.app_id == app.id}
    workspace = next(w for w in demo.workspaces if w.id not in installed)
    data = await installs.data(
        """mutation($input: InstallAppInput!) { installApp(input: $input) { id } }""",
        {
            "input": {
                "appId": app.id,
                "workspaceId": workspace.id,
                "scopes": [app.requested_scopes[0]],
            }
        },
        principal=Principal(scopes=frozenset({ADMIN_SCOPE, "installs:write"})),
    )
    received = await eventually(
        platform.receiver.accepted,
        lambda found: any(d.event_type == "installation.created" for d in found),
    )
    created = next(d for d in received if d.event_type == "installation.created")
    assert platform.verified(created)
    assert created.data["installation_id"] == data["installApp"]["id"]
    assert created.data["workspace_id"] == workspace.id
    assert created.data["app_id"] == app.id


def webhook_sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_the_queue_depth_and_the_attempts_are_exported(
    platform: Platform, demo: World
) -> None:
    app = app_with_status(demo, "PUBLISHED")
    owner = owner_of(app)
    retried = webhook_sample(
        "switchboard_webhook_attempts_total", result="failed", status="PENDING"
    )
    succeeded = webhook_sample(
        "switchboard_webhook_attempts_total", result="succeeded", status="SUCCEEDED"
    )
    platform.receiver.fail_first = 1
    platform.receiver.delay = 1.0  # each attempt waits: the delivery is queued meanwhile
    await platform.set_endpoint(app.id, owner)

    await eventually(lambda: webhook_sample("switchboard_webhook_queue_depth") == 1)
    await platform.delivered(app.id, owner, 1)
    await eventually(lambda: webhook_sample("switchboard_webhook_queue_depth") == 0)
    assert (
        webhook_sample("switchboard_webhook_attempts_total", result="failed", status="PENDING")
        == retried + 1
    )
    assert (
        webhook_sample("switchboard_webhook_attempts_total", result="succeeded", status="SUCCEEDED")
        == succeeded + 1
    )
