"""One request's dealings with the database, around a synchronous authlib call.

authlib asks for clients, codes and tokens through synchronous callbacks, and the databases are
async. So a request first loads everything its parameters name (`Exchange`), authlib then runs
on that snapshot, and the writes it decided (`Exchange.write`) run afterwards in one
transaction, with the events they stage in the outbox. A write that finds the world changed
since the load (a code or refresh token used meanwhile by a concurrent request) raises
`StaleGrant`, the whole transaction rolls back, and the request answers `invalid_grant`: two
racing uses of one code can never both get tokens.

The exchange of the running request is in a context variable, where the authlib callbacks
(`grants.py`, `endpoints.py`) find it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.common.clock import as_utc
from subgraphs.common.database import Database
from subgraphs.installs.models import (
    OUTBOX,
    AppReferenceRow,
    AuthorizationCodeRow,
    InstallationRow,
    RefreshTokenRow,
    UserRow,
    WorkspaceMemberRow,
)
from subgraphs.installs.oauth.clients import Client, first_party
from subgraphs.installs.oauth.config import IdentityConfig
from subgraphs.installs.oauth.keys import SigningKey
from subgraphs.installs.oauth.scopes import person_scopes

Write = Callable[[AsyncSession], Awaitable[None]]


class StaleGrant(Exception):
    """The code or refresh token was used by another request after this one loaded it."""


def digest(secret: str) -> str:
    """How codes and refresh tokens are stored: their SHA-256 (they are random, not guessable)."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Subject:
    """Whom a code or refresh token speaks for, as things stand now.

    An installation's subject is the app in that workspace (the user is who approved); a
    person's is the user. `scopes` is the ceiling right now: the installation's granted scopes,
    or what the person's roles carry.
    """

    user_id: str
    scopes: frozenset[str]
    app_id: str | None = None
    installation_id: str | None = None
    workspace_id: str | None = None
    organization_id: str | None = None

    def get_user_id(self) -> str:  # authlib asks the "user" for its id
        return self.user_id


@dataclass
class StoredCode:
    row: AuthorizationCodeRow

    # authlib's AuthorizationCodeMixin, and what its PKCE extension reads
    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    @property
    def code_challenge(self) -> str:
        return self.row.code_challenge

    @property
    def code_challenge_method(self) -> str:
        return self.row.code_challenge_method


@dataclass
class StoredRefreshToken:
    row: RefreshTokenRow
    now: datetime

    # authlib's TokenMixin
    def check_client(self, client: Client) -> bool:
        return self.row.client_id == client.client_id

    def get_scope(self) -> str:
        return self.row.scope

    def get_expires_in(self) -> int:
        return int((as_utc(self.row.expires_at) - self.now).total_seconds())

    def is_expired(self) -> bool:
        return as_utc(self.row.expires_at) <= self.now

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None or self.row.rotated_at is not None


@dataclass
class Exchange:
    config: IdentityConfig
    now: datetime
    clients: dict[str, Client] = field(default_factory=dict)
    signing_key: SigningKey | None = None
    code: StoredCode | None = None
    refresh_token: StoredRefreshToken | None = None
    subject: Subject | None = None
    # Set by whoever loads it: what the endpoints found for a presented token.
    found: Any = None
    writes: list[Write] = field(default_factory=list)
    staged_events: bool = False

    def write(self, action: Write, *, stages_events: bool = False) -> None:
        self.writes.append(action)
        self.staged_events = self.staged_events or stages_events

    def client(self, client_id: str | None) -> Client | None:
        return self.clients.get(client_id or "")

    async def commit(self, database: Database) -> None:
        """Apply the writes in one transaction; `StaleGrant` rolls all of them back."""
        if not self.writes:
            return
        async with database.session() as session:
            try:
                for action in self.writes:
                    await action(session)
                await session.commit()
            except BaseException:
                await session.rollback()
                raise


_current: ContextVar[Exchange] = ContextVar("oauth_exchange")


def current() -> Exchange:
    return _current.get()


@contextmanager
def running(exchange: Exchange) -> Iterator[Exchange]:
    token = _current.set(exchange)
    try:
        yield exchange
    finally:
        _current.reset(token)


# --- loading -----------------------------------------------------------------------------------


async def load_clients(session: AsyncSession, exchange: Exchange, client_ids: set[str]) -> None:
    for client_id in client_ids:
        if not client_id or len(client_id) > 64:
            continue
        client = first_party(exchange.config, client_id)
        if client is None:
            statement = select(AppReferenceRow).where(AppReferenceRow.client_id == client_id)
            app = (await session.exec(statement)).first()
            client = Client.of_app(app) if app is not None else None
        if client is not None:
            exchange.clients[client_id] = client


async def load_subject(
    session: AsyncSession, user_id: str, installation_id: str | None
) -> Subject | None:
    """The subject now, or None when it no longer holds (installation gone, user deleted)."""
    if installation_id is not None:
        installation = await session.get(InstallationRow, installation_id)
        if installation is None or installation.status != "ACTIVE":
            return None
        return Subject(
            user_id=user_id,
            scopes=frozenset(installation.granted_scopes),
            app_id=installation.app_id,
            installation_id=installation.id,
            workspace_id=installation.workspace_id,
        )
    user = await session.get(UserRow, user_id)
    if user is None:
        return None
    roles = (
        await session.exec(
            select(WorkspaceMemberRow.role).where(WorkspaceMemberRow.user_id == user_id)
        )
    ).all()
    return Subject(
        user_id=user.id,
        scopes=person_scopes(list(roles), user.organization_id, list(user.staff_roles)),
        organization_id=user.organization_id,
    )


async def load_code(session: AsyncSession, exchange: Exchange, code: str) -> None:
    row = await session.get(AuthorizationCodeRow, digest(code))
    if row is None:
        return
    exchange.code = StoredCode(row)
    exchange.subject = await load_subject(session, row.user_id, row.installation_id)


async def load_refresh_token(session: AsyncSession, exchange: Exchange, token: str) -> None:
    row = await session.get(RefreshTokenRow, digest(token))
    if row is None:
        return
    exchange.refresh_token = StoredRefreshToken(row, exchange.now)
    exchange.subject = await load_subject(session, row.user_id, row.installation_id)


async def stage(session: AsyncSession, type: Any, payload: dict[str, Any], **ids: Any) -> None:
    await OUTBOX.add(session, type, payload, **ids)
