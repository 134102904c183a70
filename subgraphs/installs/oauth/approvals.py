"""What approving an authorization request records, with its code, in one transaction.

An app's approval creates the installation in the chosen workspace with the scopes ticked on
the consent page, or updates the live one's scopes, and stages `installation.created` or
`installation.scopes_changed` in the outbox beside it; the code row is added in the same
transaction, so there is never an installation without its grant nor a code without its
installation. A person's approval (the console) records only the code.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.common.clock import utc_now
from subgraphs.common.events import EventType
from subgraphs.installs.entities import InstallationStatus
from subgraphs.installs.models import AuthorizationCodeRow, InstallationRow
from subgraphs.installs.mutations import stage_installation_event


@dataclass(frozen=True)
class PersonApproval:
    user_id: str
    scopes: tuple[str, ...]

    async def record(self, session: AsyncSession, code: AuthorizationCodeRow) -> None:
        session.add(code)


@dataclass(frozen=True)
class InstallApproval:
    user_id: str
    app_id: str
    workspace_id: str
    scopes: tuple[str, ...]

    async def record(self, session: AsyncSession, code: AuthorizationCodeRow) -> None:
        live = (
            await session.exec(
                select(InstallationRow).where(
                    InstallationRow.app_id == self.app_id,
                    InstallationRow.workspace_id == self.workspace_id,
                    InstallationRow.status != InstallationStatus.REMOVED.value,
                )
            )
        ).first()
        granted = sorted(self.scopes)
        now = utc_now()
        if live is None:
            live = InstallationRow(
                id=f"inst_{secrets.token_hex(6)}",
                app_id=self.app_id,
                workspace_id=self.workspace_id,
                granted_scopes=granted,
                status=InstallationStatus.ACTIVE.value,
                installed_by=self.user_id,
                installed_at=now,
                updated_at=now,
            )
            session.add(live)
            await stage_installation_event(
                session,
                EventType.INSTALLATION_CREATED,
                live,
                scopes=granted,
                installed_by=self.user_id,
            )
        elif list(live.granted_scopes) != granted:
            old_scopes = list(live.granted_scopes)
            live.granted_scopes = granted
            live.updated_at = now
            session.add(live)
            await stage_installation_event(
                session,
                EventType.INSTALLATION_SCOPES_CHANGED,
                live,
                old_scopes=old_scopes,
                new_scopes=granted,
            )
        code.installation_id = live.id
        session.add(code)
