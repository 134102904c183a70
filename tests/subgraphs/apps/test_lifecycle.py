"""Status transitions: the happy path, suspension and the moves that are refused."""

from __future__ import annotations

import pytest

from subgraphs.common.app_events import AppSnapshot
from subgraphs.common.events import EventType
from subgraphs.common.principal import Principal
from subgraphs.demo.world import World
from tests.subgraphs.apps.conftest import ADMIN, app_with_status, owner_of
from tests.subgraphs.harness import SubgraphHarness

CREATE = """mutation { createApp(input: {name: "Lifecycle Demo", slug: "lifecycle-demo"}) {
    id status
} }"""


def transition(mutation: str, extra: str = "") -> str:
    return f"""mutation($id: ID!) {{ {mutation}(id: $id{extra}) {{
        id status publishedAt updatedAt suspensionReason
    }} }}"""


async def test_an_app_walks_from_draft_to_removed(harness: SubgraphHarness, demo: World) -> None:
    owner = owner_of(demo.apps[0])
    app_id = (await harness.data(CREATE, principal=owner))["createApp"]["id"]
    steps = [
        ("submitAppForReview", "IN_REVIEW", EventType.APP_STATUS_CHANGED),
        ("publishApp", "PUBLISHED", EventType.APP_PUBLISHED),
        ("deprecateApp", "DEPRECATED", EventType.APP_DEPRECATED),
        ("removeApp", "REMOVED", EventType.APP_STATUS_CHANGED),
    ]
    previous = "DRAFT"
    published_at = None
    for mutation, status, event_type in steps:
        app = (await harness.data(transition(mutation), {"id": app_id}, principal=owner))[mutation]
        assert app["status"] == status
        event = harness.bus.published[-1]
        assert event.type == event_type
        assert event.app_id == app_id
        announced = AppSnapshot.of(event)  # every step announces the app in the shared contract
        assert (announced.old_status, announced.new_status) == (previous, status)
        assert announced.slug == "lifecycle-demo"
        if status == "PUBLISHED":
            published_at = app["publishedAt"]
            assert published_at == app["updatedAt"]
        if published_at is not None:
            assert app["publishedAt"] == published_at
        previous = status
    assert len(harness.bus.published) == 1 + len(steps)


@pytest.mark.parametrize(
    ("status", "mutation"),
    [
        ("DRAFT", "publishApp"),
        ("PUBLISHED", "publishApp"),
        ("SUSPENDED", "publishApp"),
        ("REMOVED", "publishApp"),
        ("PUBLISHED", "submitAppForReview"),
        ("IN_REVIEW", "deprecateApp"),
        ("PUBLISHED", "removeApp"),
        ("REMOVED", "removeApp"),
        ("PUBLISHED", "reinstateApp"),
    ],
)
async def test_refused_transitions_are_invalid_state_transitions(
    harness: SubgraphHarness, demo: World, status: str, mutation: str
) -> None:
    app = app_with_status(demo, status)
    errors = await harness.errors(transition(mutation), {"id": app.id}, principal=ADMIN)
    assert errors[0]["extensions"]["code"] == "INVALID_STATE_TRANSITION"
    assert errors[0]["extensions"]["status"] == status
    assert harness.bus.published == []
    unchanged = await harness.data("query($id: ID!) { app(id: $id) { status } }", {"id": app.id})
    assert unchanged["app"]["status"] == status


@pytest.mark.parametrize("status", ["IN_REVIEW", "PUBLISHED", "DEPRECATED"])
async def test_suspension_and_reinstatement_return_to_the_previous_status(
    harness: SubgraphHarness, demo: World, status: str
) -> None:
    app = app_with_status(demo, status)
    suspend = transition("suspendApp", ", reason: $reason").replace(
        "$id: ID!", "$id: ID!, $reason: String!"
    )
    suspended = await harness.data(
        suspend, {"id": app.id, "reason": "  Phishing reports  "}, principal=ADMIN
    )
    assert suspended["suspendApp"]["status"] == "SUSPENDED"
    assert suspended["suspendApp"]["suspensionReason"] == "Phishing reports"
    errors = await harness.errors(transition("publishApp"), {"id": app.id}, principal=ADMIN)
    assert errors[0]["extensions"]["code"] == "INVALID_STATE_TRANSITION"

    reinstated = await harness.data(transition("reinstateApp"), {"id": app.id}, principal=ADMIN)
    assert reinstated["reinstateApp"]["status"] == status
    assert reinstated["reinstateApp"]["suspensionReason"] is None

    suspend_event, reinstate_event = harness.bus.published
    assert suspend_event.type == reinstate_event.type == EventType.APP_STATUS_CHANGED
    assert suspend_event.payload["old_status"] == status
    assert suspend_event.payload["new_status"] == "SUSPENDED"
    assert suspend_event.payload["reason"] == "Phishing reports"
    assert reinstate_event.payload["old_status"] == "SUSPENDED"
    assert reinstate_event.payload["new_status"] == status


async def test_the_seeded_suspended_app_is_reinstated_as_published(
    harness: SubgraphHarness, demo: World
) -> None:
    app = app_with_status(demo, "SUSPENDED")
    data = await harness.data(transition("reinstateApp"), {"id": app.id}, principal=ADMIN)
    assert data["reinstateApp"]["status"] == "PUBLISHED"


async def test_suspension_is_for_admins_and_needs_a_reason(
    harness: SubgraphHarness, demo: World
) -> None:
    app = app_with_status(demo, "PUBLISHED")
    suspend = "mutation($id: ID!, $reason: String!) { suspendApp(id: $id, reason: $reason) { id } }"
    errors = await harness.errors(suspend, {"id": app.id, "reason": "x"}, principal=owner_of(app))
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    errors = await harness.errors(suspend, {"id": app.id, "reason": "   "}, principal=ADMIN)
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "reason"}
    suspended = app_with_status(demo, "SUSPENDED")
    errors = await harness.errors(
        transition("reinstateApp"), {"id": suspended.id}, principal=owner_of(suspended)
    )
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_transitions_check_existence_then_ownership(
    harness: SubgraphHarness, demo: World
) -> None:
    app = app_with_status(demo, "IN_REVIEW")
    stranger = Principal(organization_id="org_elsewhere", scopes=frozenset({"apps:write"}))
    integration = Principal(app_id=app.id, scopes=frozenset({"apps:write"}))
    errors = await harness.errors(transition("publishApp"), {"id": "app_missing"}, principal=ADMIN)
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    for principal in (stranger, integration):
        errors = await harness.errors(transition("publishApp"), {"id": app.id}, principal=principal)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
        assert errors[0]["path"] == ["publishApp"]
    owner = await harness.data(transition("publishApp"), {"id": app.id}, principal=owner_of(app))
    assert owner["publishApp"]["status"] == "PUBLISHED"
