"""Tokens minted straight from the issuer's database, for development (`switchboard token`).

They are the same tokens the token endpoint issues (same keys, claims and checks), without the
protocol around them: an installation's token for an app in a workspace, an app-level token, or
a person's token. Scopes are cut down exactly as the endpoint does; asking for a scope the
subject does not hold is an error, not a quiet omission.
"""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.common.clock import utc_now
from subgraphs.common.database import Database
from subgraphs.installs.models import AppReferenceRow, InstallationRow, UserRow, WorkspaceRow
from subgraphs.installs.oauth import access_tokens
from subgraphs.installs.oauth.config import IdentityConfig
from subgraphs.installs.oauth.exchange import load_subject
from subgraphs.installs.oauth.keys import Keyring


class TokenRequestError(ValueError):
    """The app, workspace, installation or user does not exist, or a scope is not held."""


def _scopes(asked: str | None, held: frozenset[str] | set[str], holder: str) -> tuple[str, ...]:
    if asked is None:
        return tuple(sorted(held))
    wanted = set(asked.split())
    missing = wanted - set(held)
    if missing:
        raise TokenRequestError(f"{holder} does not hold {' '.join(sorted(missing))}")
    return tuple(sorted(wanted))


async def mint(
    database: Database,
    config: IdentityConfig,
    *,
    app_slug: str | None = None,
    workspace_slug: str | None = None,
    user_email: str | None = None,
    scopes: str | None = None,
) -> str:
    async with database.session() as session:
        if user_email is not None:
            user = (await session.exec(select(UserRow).where(UserRow.email == user_email))).first()
            if user is None:
                raise TokenRequestError(f"no user {user_email!r}")
            subject = await load_subject(session, user.id, None)
            assert subject is not None
            grantee = access_tokens.Grantee(
                subject=user.id,
                client_id="switchboard-cli",
                scopes=_scopes(scopes, subject.scopes, user_email),
                org=user.organization_id,
            )
        else:
            statement = select(AppReferenceRow).where(AppReferenceRow.slug == app_slug)
            app = (await session.exec(statement)).first()
            if app is None:
                raise TokenRequestError(f"no app {app_slug!r}")
            client_id = app.client_id or app.id
            if workspace_slug is None:
                grantee = access_tokens.Grantee(
                    subject=app.id,
                    client_id=client_id,
                    scopes=_scopes(scopes, set(app.requested_scopes), app.slug),
                    app=app.id,
                )
            else:
                installation = await _installation(session, app, workspace_slug)
                grantee = access_tokens.Grantee(
                    subject=app.id,
                    client_id=client_id,
                    scopes=_scopes(
                        scopes, set(installation.granted_scopes), f"{app.slug} in {workspace_slug}"
                    ),
                    app=app.id,
                    installation=installation.id,
                    workspace=installation.workspace_id,
                )
    signing = await Keyring(database, config.key_encryption_key).signing_key()
    issued = access_tokens.issue(
        signing, grantee, issuer=config.issuer, audience=config.audience, now=utc_now()
    )
    return issued.token


async def _installation(
    session: AsyncSession, app: AppReferenceRow, workspace_slug: str
) -> InstallationRow:
    statement = (
        select(InstallationRow)
        .join(WorkspaceRow, WorkspaceRow.id == InstallationRow.workspace_id)  # type: ignore[arg-type]
        .where(
            WorkspaceRow.slug == workspace_slug,
            InstallationRow.app_id == app.id,
            InstallationRow.status == "ACTIVE",
        )
    )
    installation = (await session.exec(statement)).first()
    if installation is None:
        raise TokenRequestError(f"{app.slug} has no active installation in {workspace_slug!r}")
    return installation
