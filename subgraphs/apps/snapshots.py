"""An app row as the `AppSnapshot` its events carry (`subgraphs/common/app_events.py`)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.apps.models import AppRow, OrganizationRow
from subgraphs.common.app_events import AppSnapshot


async def app_snapshot(
    session: AsyncSession, row: AppRow, *, old_status: str | None, change: str
) -> AppSnapshot:
    organization = await session.get(OrganizationRow, row.organization_id)
    return AppSnapshot(
        app_id=row.id,
        slug=row.slug,
        name=row.name,
        description=row.description,
        requested_scopes=tuple(row.requested_scopes),
        organization_id=row.organization_id,
        old_status=None if old_status is None else str(old_status),
        new_status=str(row.status),
        change=change,
        publisher=organization.name if organization is not None else "",
        client_id=row.client_id,
        client_secret_hash=row.client_secret_hash,
        redirect_uris=tuple(row.redirect_uris),
    )
