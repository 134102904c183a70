"""`installationEvents`: an integration's own installations, as they change.

An installation token sees its installation's events; an app-level token those of every
installation of its app; both see their app's usage alerts. Anyone else with no installation in
reach (a person, an organization) sees nothing, as `visibility.reaches` decides for queries.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from subgraphs.common.context import Info
from subgraphs.common.event_stream import follow
from subgraphs.common.events import Event, EventType
from subgraphs.common.principal import Principal
from subgraphs.installs.entities import App, Installation, Workspace
from subgraphs.installs.loaders import Loaders
from subgraphs.installs.visibility import reaches

SUBSCRIBE = [["events:subscribe"]]


@strawberry.enum(description="What happened to an installation (or its app's usage).")
class InstallationEventType(enum.Enum):
    CREATED = EventType.INSTALLATION_CREATED.value
    SCOPES_CHANGED = EventType.INSTALLATION_SCOPES_CHANGED.value
    REMOVED = EventType.INSTALLATION_REMOVED.value
    USAGE_THRESHOLD_EXCEEDED = EventType.USAGE_THRESHOLD_EXCEEDED.value


ALL_TYPES = tuple(InstallationEventType)


@strawberry.type(description="One platform event about an installation, as the bus carried it.")
class InstallationEvent:
    id: strawberry.ID = strawberry.field(
        description="The event's bus id: pass it as `after` to resume after this event."
    )
    type: InstallationEventType
    occurred_at: datetime
    app: App
    granted_scopes: list[str] | None = strawberry.field(
        description="The scopes granted after the change (created, scopes changed)."
    )
    previous_scopes: list[str] | None = strawberry.field(
        description="The scopes granted before the change (scopes changed, removed)."
    )
    installation_id: strawberry.Private[str | None]
    workspace_id: strawberry.Private[str | None]
    loaders: strawberry.Private[Loaders]

    @classmethod
    def of(cls, event: Event, loaders: Loaders) -> InstallationEvent:
        payload = event.payload
        granted = payload.get("new_scopes", payload.get("scopes"))
        previous = payload.get("old_scopes")
        if event.type is EventType.INSTALLATION_REMOVED:
            granted, previous = None, payload.get("scopes")
        return cls(
            id=strawberry.ID(str(event.id)),
            type=InstallationEventType(event.type.value),
            occurred_at=event.occurred_at,
            app=App(id=strawberry.ID(event.app_id or "")),
            granted_scopes=_strings(granted),
            previous_scopes=_strings(previous),
            installation_id=event.installation_id,
            workspace_id=event.workspace_id,
            loaders=loaders,
        )

    @strawberry.field(description="The installation as it is now; null for usage alerts.")
    async def installation(self) -> Installation | None:
        if self.installation_id is None:
            return None
        found: Installation | None = await self.loaders.installation.load(self.installation_id)
        return found

    @strawberry.field(description="The installation's workspace; null for usage alerts.")
    async def workspace(self) -> Workspace | None:
        if self.workspace_id is None:
            return None
        found: Workspace | None = await self.loaders.workspace.load(self.workspace_id)
        return found


def sees(principal: Principal, event: Event) -> bool:
    if event.app_id is None:
        return False
    if event.installation_id is None or event.workspace_id is None:
        # An app-wide event (usage): for the app itself, whichever installation calls.
        return principal.is_admin or principal.app_id == event.app_id
    if principal.installation_id is not None and not principal.is_admin:
        return principal.installation_id == event.installation_id
    return reaches(principal, app_id=event.app_id, workspace_id=event.workspace_id)


@strawberry.type
class Subscription:
    @strawberry.federation.field(
        is_subscription=True,
        requires_scopes=SUBSCRIBE,
        authenticated=True,
        description=(
            "Events of the caller's own installations, oldest first: those after `after` still "
            "retained, then live ones."
        ),
    )
    async def installation_events(
        self,
        info: Info,
        types: list[InstallationEventType] | None = None,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[InstallationEvent, None]:
        principal = info.context.principal
        wanted = {EventType(kind.value) for kind in (types or ALL_TYPES)}

        async def visible(event: Event) -> bool:
            return sees(principal, event)

        async for event in follow(info.context.bus, types=wanted, after=after, visible=visible):
            # Fresh loaders per event: each event shows the installation as it is then.
            yield InstallationEvent.of(event, info.context.renew_loaders())


def _strings(value: object) -> list[str] | None:
    if not isinstance(value, list):
        return None
    return [str(item) for item in value]
