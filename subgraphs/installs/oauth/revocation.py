"""Taking grants back: refresh-token families, single access tokens, whole installations.

Access tokens are not stored, so revoking one means remembering its `jti` until it expires (for
introspection) and telling the resource servers on the bus (`grant.revoked`, with the payload of
docs/design/tokens.md), which stop honouring it at once. Uninstalling revokes the
installation's refresh tokens; its `installation.removed` event tells resource servers to refuse
its access tokens.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.common.clock import as_utc
from subgraphs.common.events import EventType
from subgraphs.installs.models import (
    OUTBOX,
    AuthorizationCodeRow,
    RefreshTokenRow,
    RevokedAccessTokenRow,
)


async def revoke_family(
    session: AsyncSession, family_id: str, client_id: str, now: datetime
) -> list[str]:
    """Revoke every refresh token of a family and the live access tokens issued with them."""
    rows = (
        await session.exec(select(RefreshTokenRow).where(RefreshTokenRow.family_id == family_id))
    ).all()
    live = {
        row.access_jti: as_utc(row.access_expires_at)
        for row in rows
        if as_utc(row.access_expires_at) > now
    }
    await session.exec(  # type: ignore[call-overload]
        sa.update(RefreshTokenRow)
        .where(
            col(RefreshTokenRow.family_id) == family_id, col(RefreshTokenRow.revoked_at).is_(None)
        )
        .values(revoked_at=now)
    )
    await revoke_access_tokens(session, live, client_id, installation_id=None)
    return sorted(live)


async def revoke_access_tokens(
    session: AsyncSession,
    expiries: dict[str, datetime],
    client_id: str,
    *,
    installation_id: str | None,
) -> None:
    """Remember the `jti`s until they expire and announce `grant.revoked`."""
    for jti, expires_at in expiries.items():
        await session.merge(RevokedAccessTokenRow(jti=jti, expires_at=expires_at))
    if not expiries and installation_id is None:
        return
    await OUTBOX.add(
        session,
        EventType.GRANT_REVOKED,
        {"installation_id": installation_id, "jtis": sorted(expiries), "client_id": client_id},
        installation_id=installation_id,
    )


async def revoke_installation_tokens(
    session: AsyncSession, installation_id: str, now: datetime
) -> None:
    """Every refresh token of the installation stops working (its access tokens end with the
    `installation.removed` event the uninstall publishes)."""
    await session.exec(  # type: ignore[call-overload]
        sa.update(RefreshTokenRow)
        .where(
            col(RefreshTokenRow.installation_id) == installation_id,
            col(RefreshTokenRow.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )


async def is_revoked(session: AsyncSession, jti: str) -> bool:
    return await session.get(RevokedAccessTokenRow, jti) is not None


async def prune(session: AsyncSession, now: datetime) -> None:
    """Forget what has expired anyway: revoked access tokens' `jti`s, codes (a day after
    expiry, so a late replay is still recognised meanwhile), refresh tokens."""
    await session.exec(  # type: ignore[call-overload]
        sa.delete(RevokedAccessTokenRow).where(col(RevokedAccessTokenRow.expires_at) < now)
    )
    await session.exec(  # type: ignore[call-overload]
        sa.delete(AuthorizationCodeRow).where(
            col(AuthorizationCodeRow.expires_at) < now - timedelta(days=1)
        )
    )
    await session.exec(  # type: ignore[call-overload]
        sa.delete(RefreshTokenRow).where(col(RefreshTokenRow.expires_at) < now)
    )
