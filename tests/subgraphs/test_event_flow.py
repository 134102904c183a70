"""Events carry an app's lifecycle from the apps subgraph to the subgraphs that replicate it:
an app created and published in apps becomes installable in installs and gets a listing in
the marketplace, with no call between subgraphs. On each bus: in memory and Redis Streams."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from subgraphs.apps.subgraph import SUBGRAPH as APPS
from subgraphs.common.events import EventBus, EventType
from subgraphs.common.principal import ADMIN_SCOPE, Principal
from subgraphs.demo.world import world
from subgraphs.installs.subgraph import SUBGRAPH as INSTALLS
from subgraphs.marketplace.subgraph import SUBGRAPH as MARKETPLACE
from tests.subgraphs.harness import SubgraphHarness, published
from tests.waiting import eventually

ADMIN = Principal(scopes=frozenset({ADMIN_SCOPE, "apps:write", "installs:write", "installs:read"}))


async def test_published_app_becomes_installable_and_listed(
    make_harness: Any, bus: EventBus
) -> None:
    apps: SubgraphHarness = await make_harness(APPS, seed=True, bus=bus)
    installs: SubgraphHarness = await make_harness(INSTALLS, seed=True, bus=bus)
    marketplace: SubgraphHarness = await make_harness(MARKETPLACE, seed=True, bus=bus)
    assert INSTALLS.consume is not None
    assert MARKETPLACE.consume is not None
    consumers = [
        asyncio.create_task(INSTALLS.consume(installs.database, bus)),
        asyncio.create_task(MARKETPLACE.consume(marketplace.database, bus)),
    ]
    # No wait for the consumers to subscribe: each reads the bus from where it stopped (here,
    # its beginning), so an event published before it reads is still seen.
    try:
        organization = world().organizations[0]
        created = await apps.data(
            """mutation($input: CreateAppInput!) { createApp(input: $input) { id } }""",
            {
                "input": {
                    "name": "Incident Radio",
                    "slug": "incident-radio",
                    "organizationId": organization.id,
                    "description": "Incidents, read aloud.",
                    "redirectUris": ["https://incident-radio.example.com/callback"],
                    "requestedScopes": ["installs:read", "events:subscribe"],
                }
            },
            principal=ADMIN,
        )
        app_id = created["createApp"]["id"]
        install = (
            """mutation($input: InstallAppInput!) { installApp(input: $input) { id status } }"""
        )
        install_input = {
            "input": {
                "appId": app_id,
                "workspaceId": world().workspaces[0].id,
                "scopes": ["installs:read"],
            }
        }

        async def install_error_code() -> str | None:
            body = await installs.execute(install, install_input, principal=ADMIN)
            return body["errors"][0]["extensions"]["code"] if body.get("errors") else None

        # A draft app is known to installs (from the create event) but not installable yet.
        code = await eventually(install_error_code, lambda code: code != "NOT_FOUND")
        assert code == "INVALID_STATE_TRANSITION"

        for step in ("submitAppForReview", "publishApp"):
            await apps.data(f'mutation {{ {step}(id: "{app_id}") {{ status }} }}', principal=ADMIN)
        assert [event.type for event in await published(bus)][-1] is EventType.APP_PUBLISHED

        installed = await eventually(lambda: _installed(installs, install, install_input))
        assert installed["status"] == "ACTIVE"

        async def listing() -> Any:
            data = await marketplace.data(
                "query($id: ID!) { listingByApp(appId: $id) { visible app { id } } }",
                {"id": app_id},
            )
            return data["listingByApp"]

        assert await eventually(listing) == {"visible": True, "app": {"id": app_id}}
    finally:
        for consumer in consumers:
            consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer


async def _installed(
    installs: SubgraphHarness, mutation: str, variables: dict[str, Any]
) -> dict[str, Any] | None:
    body = await installs.execute(mutation, variables, principal=ADMIN)
    if body.get("errors"):
        return None
    installation: dict[str, Any] = body["data"]["installApp"]
    return installation
