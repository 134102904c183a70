"""Owner-only data: webhook endpoint, webhook secret and suspension reason."""

from __future__ import annotations

import pytest

from subgraphs.common.principal import ANONYMOUS, Principal
from subgraphs.demo.world import World
from tests.subgraphs.apps.conftest import ADMIN, app_with_status
from tests.subgraphs.harness import SubgraphHarness

PRIVATE = """query($id: ID!) { app(id: $id) {
    name webhookUrl webhookSecret suspensionReason
} }"""


def principals(demo: World) -> dict[str, Principal]:
    app = demo.app("deploy-herald")
    other = next(o for o in demo.organizations if o.id != app.organization_id)
    scopes = frozenset({"apps:read", "apps:write"})
    return {
        "owner": Principal(organization_id=app.organization_id, scopes=scopes),
        "the app itself": Principal(app_id=app.id, scopes=scopes),
        "admin": ADMIN,
        "anonymous": ANONYMOUS,
        "another organization": Principal(organization_id=other.id, scopes=scopes),
        "another app": Principal(app_id=demo.app("build-watch").id, scopes=scopes),
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("owner", True),
        ("the app itself", True),
        ("admin", True),
        ("anonymous", False),
        ("another organization", False),
        ("another app", False),
    ],
)
async def test_webhook_settings_are_shown_only_to_the_owner(
    harness: SubgraphHarness, demo: World, who: str, sees: bool
) -> None:
    app = demo.app("deploy-herald")
    data = await harness.data(PRIVATE, {"id": app.id}, principal=principals(demo)[who])
    expected = (app.webhook_url, app.webhook_secret) if sees else (None, None)
    assert (data["app"]["webhookUrl"], data["app"]["webhookSecret"]) == expected
    assert data["app"]["name"] == "Deploy Herald"


async def test_lists_hide_secrets_of_apps_the_caller_does_not_own(
    harness: SubgraphHarness, demo: World
) -> None:
    organization = demo.organizations[0]
    caller = Principal(organization_id=organization.id, scopes=frozenset({"apps:write"}))
    data = await harness.data(
        "{ apps(first: 100) { nodes { id webhookSecret } } }", principal=caller
    )
    secrets = {node["id"]: node["webhookSecret"] for node in data["apps"]["nodes"]}
    assert secrets == {
        app.id: app.webhook_secret if app.organization_id == organization.id else None
        for app in demo.apps
    }


async def test_suspension_reason_is_shown_to_owner_only(
    harness: SubgraphHarness, demo: World
) -> None:
    suspended = app_with_status(demo, "SUSPENDED")
    owner = Principal(organization_id=suspended.organization_id)
    shown = await harness.data(PRIVATE, {"id": suspended.id}, principal=owner)
    hidden = await harness.data(PRIVATE, {"id": suspended.id})
    assert shown["app"]["suspensionReason"].startswith("Suspended pending")
    assert hidden["app"]["suspensionReason"] is None
