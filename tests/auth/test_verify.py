"""Token verification (`TokenVerifier`, `JwksKeys`): what is accepted and every way a token is
refused, with keys in memory and from a JWKS served over HTTP."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from gateway.auth import (
    AuthenticationError,
    Issuer,
    JwksKeys,
    Principal,
    TokenVerifier,
    bearer_token,
)
from gateway.config import ConfigError, validate
from gateway.server import GatewayConfig
from tests.issuer import TestIssuer


def segment(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


async def test_a_valid_token_maps_to_its_principal() -> None:
    issuer = TestIssuer()
    token = issuer.token(
        app="app_1", installation="inst_1", workspace="ws_1", scopes={"metrics:read", "a:b"}
    )
    principal = Principal.from_claims(await issuer.verifier().verify(token))
    assert principal.app_id == "app_1"
    assert principal.installation_id == "inst_1"
    assert principal.workspace_id == "ws_1"
    assert principal.scopes == {"metrics:read", "a:b"}
    assert principal.user_id is None
    assert principal.authenticated


async def test_a_person_token_names_the_user() -> None:
    issuer = TestIssuer()
    claims = await issuer.verifier().verify(issuer.token(sub="user_7", org="org_1"))
    principal = Principal.from_claims(claims)
    assert (principal.user_id, principal.organization_id, principal.app_id) == (
        "user_7",
        "org_1",
        None,
    )


def refusals(issuer: TestIssuer) -> dict[str, str]:
    now = time.time()
    other = TestIssuer(issuer.issuer, kid=issuer.kid)  # same kid, different key
    rsa = RSAKey.generate_key(2048, parameters={"kid": issuer.kid})
    hmac = OctKey.import_key(json.dumps(issuer.jwks()["keys"][0]).encode())
    claims = issuer.claims(scopes={"x"})
    return {
        "expired": issuer.sign(issuer.claims(issued_at=now - 2000, lifetime=900)),
        "not yet valid": issuer.sign({**claims, "nbf": int(now) + 600}),
        "issued in the future": issuer.sign({**claims, "iat": int(now) + 600}),
        "wrong audience": issuer.sign({**claims, "aud": "someone-else"}),
        "untrusted issuer": issuer.sign({**claims, "iss": "https://evil.test"}),
        "no exp": issuer.sign({k: v for k, v in claims.items() if k != "exp"}),
        "signed by another key": other.sign(claims),
        "unknown kid": issuer.sign(claims, header={"kid": "nobody"}),
        "not an access token": issuer.sign(claims, header={"typ": "JWT"}),
        "alg none": f"{segment({'alg': 'none', 'typ': 'at+jwt', 'kid': issuer.kid})}."
        f"{segment(claims)}.",
        "HMAC keyed with the public key": jwt.encode(
            {"alg": "HS256", "typ": "at+jwt", "kid": issuer.kid}, claims, hmac, algorithms=["HS256"]
        ),
        "RS256 with an RSA key the issuer never had": jwt.encode(
            {"alg": "RS256", "typ": "at+jwt", "kid": issuer.kid}, claims, rsa, algorithms=["RS256"]
        ),
        "tampered payload": ".".join(
            [
                issuer.token().split(".")[0],
                segment({**claims, "scope": "platform:admin"}),
                issuer.token().split(".")[2],
            ]
        ),
        "garbage": "not-a-jwt",
        "too long": "a" * 10_000,
    }


@pytest.mark.parametrize("reason", list(refusals(TestIssuer())))
async def test_refused(reason: str) -> None:
    issuer = TestIssuer()
    with pytest.raises(AuthenticationError):
        await issuer.verifier().verify(refusals(issuer)[reason])


async def test_leeway_accepts_a_token_just_expired() -> None:
    issuer = TestIssuer()
    token = issuer.sign(issuer.claims(issued_at=time.time() - 905, lifetime=900))
    await issuer.verifier(leeway_seconds=30).verify(token)
    with pytest.raises(AuthenticationError):
        await issuer.verifier(leeway_seconds=0).verify(token)


async def test_several_issuers() -> None:
    first, second = TestIssuer("https://one.test"), TestIssuer("https://two.test")
    verifier = TokenVerifier(
        [Issuer(first.issuer, first.key_source()), Issuer(second.issuer, second.key_source())]
    )
    assert (await verifier.verify(first.token()))["iss"] == "https://one.test"
    assert (await verifier.verify(second.token()))["iss"] == "https://two.test"
    # A key of one issuer never verifies a token claiming the other.
    forged = first.sign({**second.claims(), "iss": "https://two.test"})
    with pytest.raises(AuthenticationError):
        await verifier.verify(forged)


@pytest.mark.parametrize(
    "settings",
    [
        {"algorithms": ["none"]},
        {"algorithms": ["HS256"]},
        {"algorithms": []},
        {"leeway_seconds": 600},
        {"policy_hook": "no.such.module:decide"},
    ],
)
def test_unsafe_settings_are_refused_at_start_up(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="auth"):
        validate(GatewayConfig, {"auth": settings}, "switchboard.yaml")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "token"])
def test_a_header_that_is_not_a_bearer_token_is_refused(header: str) -> None:
    with pytest.raises(AuthenticationError):
        bearer_token(header)


def test_no_header_is_anonymous() -> None:
    assert bearer_token(None) is None


async def test_jwks_over_http_refetches_on_rotation_but_not_for_a_flood_of_kids() -> None:
    issuer = TestIssuer()
    now = [1000.0]
    async with issuer.serving():
        keys = JwksKeys(issuer.jwks_url, refetch_interval=10, clock=lambda: now[0])
        verifier = TokenVerifier([Issuer(issuer.issuer, keys)])
        await verifier.verify(issuer.token())
        await verifier.verify(issuer.token())
        assert issuer.jwks_requests == 1

        # A flood of random kids: at most one fetch per interval, shared by concurrent misses.
        flood = [issuer.sign(issuer.claims(), header={"kid": uuid.uuid4().hex}) for _ in range(100)]

        async def verify_all() -> list[object]:
            return await asyncio.gather(
                *(verifier.verify(token) for token in flood), return_exceptions=True
            )

        assert all(isinstance(result, AuthenticationError) for result in await verify_all())
        assert issuer.jwks_requests == 1
        now[0] += 10
        assert all(isinstance(result, AuthenticationError) for result in await verify_all())
        assert issuer.jwks_requests == 2

        # The issuer rotates to a new key: once the interval has passed, one refetch finds it.
        rotated = TestIssuer(issuer.issuer)
        issuer.key, issuer.kid = rotated.key, rotated.kid
        now[0] += 10
        await verifier.verify(issuer.token())
        await verifier.verify(issuer.token())
        assert issuer.jwks_requests == 3


async def test_concurrent_first_tokens_wait_for_the_one_jwks_fetch() -> None:
    """The first tokens a server sees arrive together: all wait for the fetch the first one
    started, rather than being refused for a kid that fetch is about to bring."""
    issuer = TestIssuer()
    async with issuer.serving():
        verifier = TokenVerifier([Issuer(issuer.issuer, JwksKeys(issuer.jwks_url))])
        tokens = [issuer.token(jti=str(number)) for number in range(5)]
        claims = await asyncio.gather(*(verifier.verify(token) for token in tokens))
    assert [claim["jti"] for claim in claims] == ["0", "1", "2", "3", "4"]
    assert issuer.jwks_requests == 1
