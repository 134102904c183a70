"""The issuer's signing keys: kept in the installs database, private halves encrypted at rest.

Rotation (`rotate`, run by `switchboard keys rotate`) adds a key and makes it the signing key at
once; every older key gets a `retire_at` one token lifetime (plus the resource servers' leeway)
away. Until then the JWKS still publishes it, so tokens it signed stay verifiable to their
expiry; after it, it is neither published nor trusted, and a later rotation deletes it.
Resource servers refetch the JWKS when they meet an unknown `kid`, so the new key is usable at
once.

The private half of each key is a compact JWE (`dir`, A256GCM) under a key derived from
`SWITCHBOARD_IDENTITY_SECRET`; decrypted keys are cached by `kid` (rows never change).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OctKey
from sqlmodel import col, select

from subgraphs.common.clock import as_utc, utc_now
from subgraphs.common.database import Database
from subgraphs.installs.models import SigningKeyRow
from subgraphs.installs.oauth.config import ACCESS_TOKEN_LIFETIME, LEEWAY

ALGORITHM = "ES256"
CURVE = "P-256"
ENCRYPTION = {"alg": "dir", "enc": "A256GCM"}
# A retired key is deleted this long after it stopped being published.
DELETE_AFTER = timedelta(days=1)


class KeyDecryptionError(RuntimeError):
    """A stored key does not decrypt: the identity secret changed since it was written."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    key: ECKey


class Keyring:
    def __init__(
        self,
        database: Database,
        encryption_key: OctKey,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.database = database
        self._encryption_key = encryption_key
        self._clock = clock
        self._private: dict[str, ECKey] = {}

    async def signing_key(self) -> SigningKey:
        """The newest live key."""
        rows = await self._live_rows()
        newest = max(rows, key=lambda row: (as_utc(row.created_at), row.kid))
        return SigningKey(newest.kid, self._decrypt(newest))

    async def public_keys(self) -> dict[str, ECKey]:
        """The published keys by `kid`: those a token may be verified with right now."""
        return {row.kid: ECKey.import_key(row.public_jwk) for row in await self._live_rows()}

    async def jwks(self) -> dict[str, list[dict[str, str]]]:
        rows = sorted(await self._live_rows(), key=lambda row: row.kid)
        return {"keys": [dict(row.public_jwk) for row in rows]}

    async def rotate(self) -> str:
        """Add a key that signs from now on; retire the others after the longest token life."""
        now = self._clock()
        kid = f"{now:%Y%m%d}-{secrets.token_hex(4)}"
        key = ECKey.generate_key(CURVE, parameters={"kid": kid, "alg": ALGORITHM, "use": "sig"})
        private = json.dumps(key.as_dict(private=True)).encode()
        row = SigningKeyRow(
            kid=kid,
            algorithm=ALGORITHM,
            public_jwk={str(k): str(v) for k, v in key.as_dict(private=False).items()},
            private_jwe=jwe.encrypt_compact(
                ENCRYPTION, private, self._encryption_key, algorithms=["dir", "A256GCM"]
            ),
            created_at=now,
        )
        async with self.database.session() as session:
            await session.exec(  # type: ignore[call-overload]
                sa.update(SigningKeyRow)
                .where(col(SigningKeyRow.retire_at).is_(None))
                .values(retire_at=now + ACCESS_TOKEN_LIFETIME + LEEWAY)
            )
            await session.exec(  # type: ignore[call-overload]
                sa.delete(SigningKeyRow).where(col(SigningKeyRow.retire_at) < now - DELETE_AFTER)
            )
            session.add(row)
            await session.commit()
        return kid

    async def _live_rows(self) -> list[SigningKeyRow]:
        """The published keys; the first key is made on first use."""
        rows = await self._published_rows()
        if not rows:
            await self.rotate()
            rows = await self._published_rows()
        return rows

    async def _published_rows(self) -> list[SigningKeyRow]:
        now = self._clock()
        statement = select(SigningKeyRow).where(
            sa.or_(col(SigningKeyRow.retire_at).is_(None), col(SigningKeyRow.retire_at) > now)
        )
        async with self.database.session() as session:
            return list((await session.exec(statement)).all())

    def _decrypt(self, row: SigningKeyRow) -> ECKey:
        key = self._private.get(row.kid)
        if key is None:
            try:
                plain = jwe.decrypt_compact(
                    row.private_jwe, self._encryption_key, algorithms=["dir", "A256GCM"]
                ).plaintext
            except JoseError as error:
                raise KeyDecryptionError(
                    f"signing key {row.kid} does not decrypt with the configured secret"
                ) from error
            key = ECKey.import_key(json.loads(plain or b"{}"))
            self._private[row.kid] = key
        return key
