"""The issuer's own check of access tokens (introspection): only ES256 tokens of its published
keys, for its audience, unexpired, pass; every classic forgery fails."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from joserfc import jwt
from sqlmodel import col

from subgraphs.common.clock import utc_now
from subgraphs.installs.models import SigningKeyRow
from tests.subgraphs.installs.oauth.conftest import ISSUER, Issuer


def claims(**changes: Any) -> dict[str, Any]:
    now = int(utc_now().timestamp())
    base = {
        "iss": ISSUER,
        "sub": "user_ana",
        "aud": "switchboard",
        "iat": now,
        "exp": now + 600,
        "jti": secrets.token_hex(8),
        "client_id": "switchboard-console",
        "scope": "metrics:read platform:admin",
    }
    base.update(changes)
    return base


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], body: dict[str, Any]) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(body).encode())}"


async def signed(issuer: Issuer, body: dict[str, Any], **header: str) -> str:
    signing = await issuer.keyring.signing_key()
    protected = {"alg": "ES256", "typ": "at+jwt", "kid": signing.kid, **header}
    return jwt.encode(protected, body, signing.key, algorithms=["ES256"])


async def test_a_well_formed_token_is_active(issuer: Issuer) -> None:
    introspected = await issuer.introspect(await signed(issuer, claims()))
    assert introspected["active"] is True
    assert introspected["sub"] == "user_ana"


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"exp": int(utc_now().timestamp()) - 120}, "expired"),
        ({"aud": "another-api"}, "wrong audience"),
        ({"iss": "https://evil.example"}, "wrong issuer"),
    ],
)
async def test_a_validly_signed_token_with_bad_claims_is_inactive(
    issuer: Issuer, changes: dict[str, Any], why: str
) -> None:
    assert (await issuer.introspect(await signed(issuer, claims(**changes))))["active"] is False, (
        why
    )


async def test_a_token_of_another_type_or_unknown_key_is_inactive(issuer: Issuer) -> None:
    assert (await issuer.introspect(await signed(issuer, claims(), typ="JWT")))["active"] is False
    unknown = await signed(issuer, claims(), kid="not-a-published-key")
    assert (await issuer.introspect(unknown))["active"] is False


async def test_alg_none_is_inactive(issuer: Issuer) -> None:
    kid = (await issuer.keyring.signing_key()).kid
    token = unsigned({"alg": "none", "typ": "at+jwt", "kid": kid}, claims()) + "."
    assert (await issuer.introspect(token))["active"] is False


async def test_hs256_keyed_with_the_public_key_is_inactive(issuer: Issuer) -> None:
    """The algorithm-confusion attack: HMAC "signed" with the published key as the secret."""
    signing = await issuer.keyring.signing_key()
    public = signing.key.as_dict(private=False)
    header = {"alg": "HS256", "typ": "at+jwt", "kid": signing.kid}
    for secret in (
        json.dumps(public).encode(),
        signing.key.as_pem(private=False),
    ):
        message = unsigned(header, claims())
        mac = hmac.new(secret, message.encode(), hashlib.sha256).digest()
        assert (await issuer.introspect(f"{message}.{b64(mac)}"))["active"] is False


async def test_a_token_of_a_rotated_out_key_is_inactive(issuer: Issuer) -> None:
    old = await signed(issuer, claims())
    old_kid = (await issuer.keyring.signing_key()).kid
    new_kid = await issuer.keyring.rotate()
    assert new_kid != old_kid
    # Rotated, not yet retired: both keys are published and the old token still verifies.
    kids = {key["kid"] for key in (await issuer.http.get("/.well-known/jwks.json")).json()["keys"]}
    assert kids == {old_kid, new_kid}
    assert (await issuer.introspect(old))["active"] is True
    assert (await issuer.keyring.signing_key()).kid == new_kid
    # One token lifetime later the old key is retired: gone from the JWKS, its tokens refused.
    async with issuer.harness.database.session() as session:
        await session.exec(  # type: ignore[call-overload]
            sa.update(SigningKeyRow)
            .where(col(SigningKeyRow.kid) == old_kid)
            .values(retire_at=utc_now() - timedelta(seconds=1))
        )
        await session.commit()
    kids = {key["kid"] for key in (await issuer.http.get("/.well-known/jwks.json")).json()["keys"]}
    assert kids == {new_kid}
    assert (await issuer.introspect(old))["active"] is False
    assert (await issuer.introspect(await signed(issuer, claims())))["active"] is True


async def test_introspection_needs_client_authentication(issuer: Issuer) -> None:
    response = await issuer.http.post("/oauth/introspect", data={"token": "anything"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
