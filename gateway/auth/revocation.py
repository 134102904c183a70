"""`Revocations`: tokens refused before they expire, from the bus's revocation events.

Access tokens are not stored anywhere, so the issuer announces revocations as events
(docs/design/tokens.md, "Revocation") and every resource server keeps what it heard:

    installation.removed  {installation_id, …}       every token of the installation issued
                                                     before the event
    grant.revoked         {jtis, installation_id?}   those token ids, and with an
                                                     installation every earlier token of it

An entry only matters while a token it refuses can still be valid: the longest lifetime
(15 minutes) plus the leeway. Older entries are dropped, so memory stays bounded by the
revocations of the last quarter hour. `follow` consumes a bus (the in-memory one in
`switchboard dev`, Redis Streams across replicas) from the start of its retention, so a replica
that starts late still refuses what was revoked before it started, and keeps reading through
bus errors from the last event it applied.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Collection, Mapping
from datetime import datetime
from typing import Any, Protocol

from gateway.auth.principal import Principal

logger = logging.getLogger("gateway.auth")

INSTALLATION_REMOVED = "installation.removed"
GRANT_REVOKED = "grant.revoked"
REVOCATION_EVENTS = (INSTALLATION_REMOVED, GRANT_REVOKED)
# The longest access-token lifetime (tokens.md) plus the most leeway a verifier allows.
RETENTION_SECONDS = 900 + 30
RETRY_SECONDS = 1.0


class RevocationEvent(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...
    @property
    def occurred_at(self) -> datetime: ...


class EventSource(Protocol):
    """What the gateway reads of the platform's event bus (`subgraphs.common.events`)."""

    def subscribe(
        self, *, types: Collection[Any] | None = None, after: int | None = None
    ) -> AsyncIterator[Any]: ...


class Revocations:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        # token id → when the entry may be forgotten
        self._tokens: dict[str, float] = {}
        # installation id → the revocation time (tokens issued at or before it are refused)
        self._installations: dict[str, float] = {}
        self._pruned_at = clock()

    def __len__(self) -> int:
        return len(self._tokens) + len(self._installations)

    def is_revoked(self, principal: Principal) -> bool:
        if principal.token_id is not None and principal.token_id in self._tokens:
            return True
        installation = principal.installation_id
        if installation is None:
            return False
        revoked_at = self._installations.get(installation)
        # `iat` has whole seconds: a token issued within the event's second is refused too.
        return revoked_at is not None and principal.issued_at <= revoked_at

    def apply(self, event: RevocationEvent) -> None:
        now = self._clock()
        revoked_at = event.occurred_at.timestamp()
        self._prune(now)
        if revoked_at < now - RETENTION_SECONDS:
            return  # every token it could refuse has expired
        payload = event.payload
        installation = payload.get("installation_id")
        if isinstance(installation, str) and event.type in REVOCATION_EVENTS:
            previous = self._installations.get(installation, 0.0)
            self._installations[installation] = max(previous, revoked_at)
        if event.type == GRANT_REVOKED:
            jtis = payload.get("jtis") or ()
            for jti in jtis if isinstance(jtis, list) else ():
                if isinstance(jti, str):
                    self._tokens[jti] = revoked_at + RETENTION_SECONDS

    def _prune(self, now: float) -> None:
        if now - self._pruned_at < 60:
            return
        self._pruned_at = now
        self._tokens = {jti: until for jti, until in self._tokens.items() if until > now}
        oldest = now - RETENTION_SECONDS
        self._installations = {
            installation: revoked_at
            for installation, revoked_at in self._installations.items()
            if revoked_at > oldest
        }

    async def follow(self, bus: EventSource) -> None:
        """Apply the bus's revocation events as they arrive, for as long as the task runs."""
        last_seen = 0
        while True:
            try:
                async for event in bus.subscribe(types=REVOCATION_EVENTS, after=last_seen):
                    self.apply(event)
                    last_seen = getattr(event, "id", last_seen)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    # Stopping: a cancelled stream read may surface as a connection error.
                    raise asyncio.CancelledError() from error
                # A bus that drops (Redis restarting) must not end revocation for good.
                logger.exception("revocation events: the bus failed; resubscribing")
                await asyncio.sleep(RETRY_SECONDS)
