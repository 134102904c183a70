"""createApp and updateApp: validation, ownership, conflicts and the events they publish."""

from __future__ import annotations

from typing import Any

import pytest

from subgraphs.common.events import EventType
from subgraphs.common.principal import ANONYMOUS, Principal
from subgraphs.demo.world import World
from tests.subgraphs.apps.conftest import ADMIN, owner_of
from tests.subgraphs.harness import SubgraphHarness

CREATE = """mutation($input: CreateAppInput!) { createApp(input: $input) {
    id slug name description status homepage redirectUris requestedScopes clientId
    createdAt updatedAt publishedAt webhookUrl webhookSecret organization { id }
} }"""

UPDATE = """mutation($id: ID!, $input: UpdateAppInput!) { updateApp(id: $id, input: $input) {
    id slug name description homepage redirectUris requestedScopes updatedAt
} }"""


def new_app(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Ticket Tamer",
        "slug": "ticket-tamer",
        "description": "Tames tickets.",
        "homepage": "https://tickets.example.com",
        "redirectUris": ["https://tickets.example.com/cb", "http://localhost:8080/cb"],
        "requestedScopes": ["installs:read", "apps:read", "apps:read"],
        **overrides,
    }


async def test_create_app_starts_a_draft_and_announces_it(
    harness: SubgraphHarness, demo: World
) -> None:
    organization = demo.organizations[3]
    caller = Principal(organization_id=organization.id, scopes=frozenset({"apps:write"}))
    created = (await harness.data(CREATE, {"input": new_app()}, principal=caller))["createApp"]
    assert created["status"] == "DRAFT"
    assert created["organization"] == {"id": organization.id}
    assert created["requestedScopes"] == ["apps:read", "installs:read"]
    assert created["redirectUris"] == ["https://tickets.example.com/cb", "http://localhost:8080/cb"]
    assert created["clientId"].startswith("client_")
    assert created["publishedAt"] is None
    assert created["webhookUrl"] is None
    assert created["createdAt"] == created["updatedAt"]

    fetched = await harness.data(
        'query { appBySlug(slug: "ticket-tamer") { id name } }', principal=caller
    )
    assert fetched["appBySlug"] == {"id": created["id"], "name": "Ticket Tamer"}
    listed = await harness.data(
        "query($id: ID!) { organization(id: $id) { apps { totalCount } } }",
        {"id": organization.id},
    )
    owned = sum(1 for a in demo.apps if a.organization_id == organization.id)
    assert listed["organization"]["apps"]["totalCount"] == owned + 1

    [event] = harness.bus.published
    assert event.type == EventType.APP_UPDATED
    assert event.app_id == created["id"]
    assert event.payload == {
        "app_id": created["id"],
        "slug": "ticket-tamer",
        "name": "Ticket Tamer",
        "description": "Tames tickets.",
        "requested_scopes": ["apps:read", "installs:read"],
        "organization_id": organization.id,
        "old_status": None,
        "new_status": "DRAFT",
        "change": "create",
        "publisher": organization.name,
        "client_id": created["clientId"],
        "client_secret_hash": None,
        "redirect_uris": ["https://tickets.example.com/cb", "http://localhost:8080/cb"],
    }


async def test_admin_creates_for_a_named_organization(
    harness: SubgraphHarness, demo: World
) -> None:
    organization = demo.organizations[5]
    created = await harness.data(
        CREATE, {"input": new_app(organizationId=organization.id)}, principal=ADMIN
    )
    assert created["createApp"]["organization"] == {"id": organization.id}
    errors = await harness.errors(
        CREATE, {"input": new_app(organizationId="org_missing", slug="x")}, principal=ADMIN
    )
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    errors = await harness.errors(CREATE, {"input": new_app(slug="y")}, principal=ADMIN)
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "organizationId"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "ab"}, "name"),
        ({"name": "x" * 61}, "name"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"slug": "under_score"}, "slug"),
        ({"redirectUris": ["http://tickets.example.com/cb"]}, "redirectUris"),
        ({"redirectUris": ["https://tickets.example.com/cb#frag"]}, "redirectUris"),
        ({"redirectUris": ["not a url"]}, "redirectUris"),
        ({"requestedScopes": ["apps:read", "root"]}, "requestedScopes"),
        ({"homepage": "ftp://tickets.example.com"}, "homepage"),
    ],
)
async def test_create_app_rejects_invalid_input(
    harness: SubgraphHarness, demo: World, overrides: dict[str, Any], field: str
) -> None:
    caller = owner_of(demo.apps[0])
    errors = await harness.errors(CREATE, {"input": new_app(**overrides)}, principal=caller)
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert harness.bus.published == []


async def test_create_app_with_a_taken_slug_is_a_conflict(
    harness: SubgraphHarness, demo: World
) -> None:
    caller = owner_of(demo.apps[0])
    errors = await harness.errors(
        CREATE, {"input": new_app(slug="deploy-herald")}, principal=caller
    )
    assert errors[0]["extensions"] == {"code": "CONFLICT", "field": "slug"}


async def test_create_app_for_another_organization_is_forbidden(
    harness: SubgraphHarness, demo: World
) -> None:
    caller = owner_of(demo.apps[0])
    other = next(o for o in demo.organizations if o.id != demo.apps[0].organization_id)
    for principal, input in (
        (caller, new_app(organizationId=other.id)),
        (ANONYMOUS, new_app(organizationId=other.id)),
    ):
        errors = await harness.errors(CREATE, {"input": input}, principal=principal)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_update_app_changes_only_given_fields(harness: SubgraphHarness, demo: World) -> None:
    app = demo.app("deploy-herald")
    changes = {
        "name": "Deploy Herald Pro",
        "slug": "deploy-herald-pro",
        "homepage": None,
        "requestedScopes": ["metrics:read"],
    }
    updated = (
        await harness.data(UPDATE, {"id": app.id, "input": changes}, principal=owner_of(app))
    )["updateApp"]
    assert updated["name"] == "Deploy Herald Pro"
    assert updated["slug"] == "deploy-herald-pro"
    assert updated["homepage"] is None
    assert updated["requestedScopes"] == ["metrics:read"]
    assert updated["description"] == app.description
    assert updated["redirectUris"] == list(app.redirect_uris)
    assert updated["updatedAt"] > app.created_at.isoformat()

    [event] = harness.bus.published
    assert event.type == EventType.APP_UPDATED
    assert event.payload["slug"] == "deploy-herald-pro"
    assert event.payload["changed_fields"] == ["homepage", "name", "requested_scopes", "slug"]
    assert event.payload["old_status"] == event.payload["new_status"] == app.status

    # Unchanged values are not a change: nothing is announced.
    await harness.data(
        UPDATE, {"id": app.id, "input": {"name": "Deploy Herald Pro"}}, principal=owner_of(app)
    )
    assert len(harness.bus.published) == 1


async def test_update_app_errors(harness: SubgraphHarness, demo: World) -> None:
    app = demo.app("deploy-herald")
    cases = [
        (app.id, {"slug": "build-watch"}, owner_of(app), "CONFLICT"),
        (app.id, {"name": "no"}, owner_of(app), "BAD_USER_INPUT"),
        (app.id, {"redirectUris": ["http://evil.example.com"]}, owner_of(app), "BAD_USER_INPUT"),
        ("app_missing", {"name": "Whatever"}, owner_of(app), "NOT_FOUND"),
        (app.id, {"name": "Hijacked"}, owner_of(demo.app("build-watch")), "FORBIDDEN"),
    ]
    for id, input, principal, code in cases:
        errors = await harness.errors(UPDATE, {"id": id, "input": input}, principal=principal)
        assert errors[0]["extensions"]["code"] == code, (input, errors)
    assert harness.bus.published == []
