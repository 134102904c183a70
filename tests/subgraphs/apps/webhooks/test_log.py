"""The delivery log in the graph: who sees it, filters and pages, and no N+1."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from subgraphs.apps.webhooks import queue
from subgraphs.apps.webhooks.http import Attempted
from subgraphs.apps.webhooks.schedule import RetrySchedule
from subgraphs.common.clock import utc_now
from subgraphs.common.principal import ADMIN_SCOPE, Principal
from subgraphs.demo.world import App, World
from tests.subgraphs.apps.conftest import app_with_status, owner_of
from tests.subgraphs.harness import SubgraphHarness

READ = frozenset({"apps:read", "apps:write"})
LOG = """query($id: ID!, $status: DeliveryStatus, $eventType: String, $after: String) {
  app(id: $id) {
    webhookEndpoint { url status }
    webhookDeliveries(first: 2, after: $after, status: $status, eventType: $eventType) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { id eventType status attemptCount attempts { statusCode error } }
    }
  }
}"""


async def fill(harness: SubgraphHarness, app_id: str) -> list[str]:
    """Three deliveries, oldest first: one delivered, one failed once, one untried test."""
    start = utc_now() - timedelta(minutes=10)
    made = [
        queue.delivery_values(app_id, "app.updated", "{}", start, event_id=1),
        queue.delivery_values(app_id, "installation.created", "{}", start + timedelta(minutes=1)),
        queue.delivery_values(app_id, "webhook.test", "{}", start + timedelta(minutes=2)),
    ]
    async with harness.database.engine.begin() as connection:
        await connection.execute(sa.insert(queue.DELIVERIES), made)
        outcomes = [Attempted(200, 12.5, None, "ok"), Attempted(503, 40.0, "HTTP 503", "busy")]
        for values, attempted in zip(made, outcomes, strict=False):
            claimed = queue.Claimed(values["id"], app_id, "", "{}", [], 0)
            await connection.execute(
                sa.update(queue.DELIVERIES)
                .where(queue.DELIVERIES.c.id == values["id"])
                .values(claimed_by="t")
            )
            await queue.record(connection, claimed, attempted, "t", start, RetrySchedule())
    return [values["id"] for values in made]


def callers(app: App, other: App) -> dict[str, tuple[Principal, bool]]:
    return {
        "owner": (owner_of(app), True),
        "app-level token": (Principal(app_id=app.id, scopes=READ), True),
        "admin": (Principal(scopes=frozenset({ADMIN_SCOPE})), True),
        "installation token": (
            Principal(app_id=app.id, installation_id="inst_1", workspace_id="ws_1", scopes=READ),
            False,
        ),
        "another app": (Principal(app_id=other.id, scopes=READ), False),
        "another organization": (owner_of(other), False),
        "anonymous": (Principal(), False),
    }


@pytest.mark.parametrize(
    "caller",
    [
        "owner",
        "app-level token",
        "admin",
        "installation token",
        "another app",
        "another organization",
        "anonymous",
    ],
)
async def test_the_log_is_the_owners_and_the_apps_own(
    harness: SubgraphHarness, demo: World, caller: str
) -> None:
    app = app_with_status(demo, "PUBLISHED")
    other = next(a for a in demo.apps if a.organization_id != app.organization_id)
    await fill(harness, app.id)
    principal, sees = callers(app, other)[caller]
    data = await harness.data(LOG, {"id": app.id}, principal=principal)
    log = data["app"]
    if not sees:
        assert log == {"webhookEndpoint": None, "webhookDeliveries": None}
        return
    assert log["webhookEndpoint"] == {"url": app.webhook_url, "status": "ENABLED"}
    assert log["webhookDeliveries"]["totalCount"] == 3


async def test_filters_and_pages(harness: SubgraphHarness, demo: World) -> None:
    app = app_with_status(demo, "PUBLISHED")
    owner = owner_of(app)
    delivered, retried, untried = await fill(harness, app.id)
    first = (await harness.data(LOG, {"id": app.id}, principal=owner))["app"]["webhookDeliveries"]
    assert [node["id"] for node in first["nodes"]] == [untried, retried]
    assert first["pageInfo"]["hasNextPage"]
    assert first["nodes"][1]["attempts"] == [{"statusCode": 503, "error": "HTTP 503"}]
    assert first["nodes"][1]["status"] == "PENDING"
    rest = await harness.data(
        LOG, {"id": app.id, "after": first["pageInfo"]["endCursor"]}, principal=owner
    )
    (last,) = rest["app"]["webhookDeliveries"]["nodes"]
    assert (last["id"], last["status"], last["attemptCount"]) == (delivered, "SUCCEEDED", 1)
    done = await harness.data(LOG, {"id": app.id, "status": "SUCCEEDED"}, principal=owner)
    assert [n["id"] for n in done["app"]["webhookDeliveries"]["nodes"]] == [delivered]
    typed = await harness.data(
        LOG, {"id": app.id, "eventType": "installation.created"}, principal=owner
    )
    assert [n["id"] for n in typed["app"]["webhookDeliveries"]["nodes"]] == [retried]


async def test_only_the_owner_or_the_app_may_redeliver_or_test(
    harness: SubgraphHarness, demo: World
) -> None:
    app = app_with_status(demo, "PUBLISHED")
    other = next(a for a in demo.apps if a.organization_id != app.organization_id)
    delivered, *_ = await fill(harness, app.id)
    redeliver = "mutation($id: ID!) { redeliverWebhook(id: $id) { id status } }"
    test = "mutation($id: ID!) { sendTestWebhook(appId: $id) { eventType } }"
    install = Principal(app_id=app.id, installation_id="inst_1", scopes=READ)
    for principal in (owner_of(other), install, Principal(app_id=other.id, scopes=READ)):
        errors = await harness.errors(redeliver, {"id": delivered}, principal=principal)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
        errors = await harness.errors(test, {"id": app.id}, principal=principal)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    errors = await harness.errors(redeliver, {"id": "msg_nope"}, principal=owner_of(app))
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    data = await harness.data(redeliver, {"id": delivered}, principal=owner_of(app))
    assert data["redeliverWebhook"] == {"id": delivered, "status": "PENDING"}


async def test_logs_of_many_apps_cost_a_fixed_number_of_statements(
    harness: SubgraphHarness, demo: World
) -> None:
    admin = Principal(scopes=frozenset({ADMIN_SCOPE}))
    query = """query($first: Int) { apps(first: $first) { nodes {
      webhookDeliveries(first: 2) { totalCount nodes { id attempts { statusCode } } }
    } } }"""
    for app in demo.apps[:20]:
        await fill(harness, app.id)
    counts = []
    for first in (3, 20):
        with harness.database.count_statements() as counter:
            data = await harness.data(query, {"first": first}, principal=admin)
        assert len(data["apps"]["nodes"]) == first
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 5
