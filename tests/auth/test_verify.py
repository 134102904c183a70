"""Token verification (`TokenVerifier`, `JwksKeys`): what is accepted and every way a token is
refused, with keys in memory and from a JWKS served over HTTP."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from gateway.auth import (
    AuthConfigError,
    AuthenticationError,
    Issuer,
    JwksKeys,
    Principal,
    StaticKeys,
    TokenVerifier,
    bearer_token,
)
from gateway.auth import verify as verify_module
from gateway.auth.verify import MAX_TOKEN_LENGTH
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


def encoded(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


def signed_by_hand(issuer: TestIssuer, header: dict[str, Any], payload: str) -> str:
    """A token whose header and payload segments are exactly these, with the issuer's valid
    ES256 signature: what joserfc would refuse to produce."""
    signing_input = f"{segment({'alg': 'ES256', 'typ': 'at+jwt', 'kid': issuer.kid, **header})}"
    signing_input += f".{payload}"
    der = issuer.key.get_op_key("sign").sign(signing_input.encode(), ECDSA(SHA256()))
    r, s = decode_dss_signature(der)
    return f"{signing_input}.{encoded(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def refusals(issuer: TestIssuer) -> dict[str, tuple[str, str]]:
    """Each way a token is refused: the token, and the reason the gateway logs for it (what an
    operator reads to learn why a caller got a 401)."""
    now = time.time()
    other = TestIssuer(issuer.issuer, kid=issuer.kid)  # same kid, different key
    rsa = RSAKey.generate_key(2048, parameters={"kid": issuer.kid})
    hmac = OctKey.import_key(json.dumps(issuer.jwks()["keys"][0]).encode())
    claims = issuer.claims(scopes={"x"})
    bad_signature = "bad signature or payload: "
    return {
        "expired": (
            issuer.sign(issuer.claims(issued_at=now - 2000, lifetime=900)),
            "expired or no exp",
        ),
        "not yet valid": (issuer.sign({**claims, "nbf": int(now) + 600}), "nbf in the future"),
        "issued in the future": (
            issuer.sign({**claims, "iat": int(now) + 600}),
            "iat in the future",
        ),
        "wrong audience": (issuer.sign({**claims, "aud": "someone-else"}), "aud"),
        # An audience that merely contains ours is another audience.
        "audience containing ours": (issuer.sign({**claims, "aud": "not-switchboard"}), "aud"),
        "untrusted issuer": (
            issuer.sign({**claims, "iss": "https://evil.test"}),
            "untrusted issuer",
        ),
        "no exp": (
            issuer.sign({k: v for k, v in claims.items() if k != "exp"}),
            "expired or no exp",
        ),
        "scope not a string": (
            issuer.sign({**claims, "scope": ["platform:admin"]}),
            "scope is not a string",
        ),
        "signed by another key": (other.sign(claims), bad_signature),
        "unknown kid": (issuer.sign(claims, header={"kid": "nobody"}), "unknown kid 'nobody'"),
        # Refused before its signature is looked at.
        "no kid": (
            f"{segment({'alg': 'ES256', 'typ': 'at+jwt'})}.{segment(claims)}.c2ln",
            "no kid in the header",
        ),
        "not an access token": (
            issuer.sign(claims, header={"typ": "JWT"}),
            "typ is not at+jwt",
        ),
        "alg none": (
            f"{segment({'alg': 'none', 'typ': 'at+jwt', 'kid': issuer.kid})}.{segment(claims)}.",
            "algorithm 'none' is not allowed",
        ),
        "HMAC keyed with the public key": (
            jwt.encode(
                {"alg": "HS256", "typ": "at+jwt", "kid": issuer.kid},
                claims,
                hmac,
                algorithms=["HS256"],
            ),
            "algorithm 'HS256' is not allowed",
        ),
        "RS256 with an RSA key the issuer never had": (
            jwt.encode(
                {"alg": "RS256", "typ": "at+jwt", "kid": issuer.kid},
                claims,
                rsa,
                algorithms=["RS256"],
            ),
            bad_signature,
        ),
        "tampered payload": (
            ".".join(
                [
                    issuer.token().split(".")[0],
                    segment({**claims, "scope": "platform:admin"}),
                    issuer.token().split(".")[2],
                ]
            ),
            bad_signature,
        ),
        "a critical header extension": (
            signed_by_hand(issuer, {"crit": ["exp"], "exp": int(now) + 60}, segment(claims)),
            "header extensions are not accepted",
        ),
        "an unencoded payload (RFC 7797)": (
            signed_by_hand(issuer, {"b64": False, "crit": ["b64"]}, segment(claims)),
            "header extensions are not accepted",
        ),
        "a payload that is not an object": (
            signed_by_hand(issuer, {}, segment([claims])),
            "header or payload",
        ),
        "a signature of the wrong length": (
            ".".join(
                [
                    *issuer.token().split(".")[:2],
                    encoded(base64.urlsafe_b64decode(issuer.token().split(".")[2] + "==")[:-1]),
                ]
            ),
            bad_signature,
        ),
        "garbage": ("not-a-jwt", "not a compact JWS"),
        "undecodable": ("e30.!!!.e30", "undecodable: "),
        "header not an object": (f"{segment([1])}.{segment(claims)}.", "header or payload"),
        "too long": ("a" * 10_000, "token too long"),
        # Exactly the longest accepted length: refused for what it is, not for its length.
        "longest": ("a" * MAX_TOKEN_LENGTH, "not a compact JWS"),
    }


@pytest.mark.parametrize("case", list(refusals(TestIssuer())))
async def test_refused(case: str) -> None:
    issuer = TestIssuer()
    token, reason = refusals(issuer)[case]
    with pytest.raises(AuthenticationError) as refused:
        await issuer.verifier().verify(token)
    if reason.endswith(": "):
        assert refused.value.reason.startswith(reason), refused.value.reason
    elif reason == "header or payload":
        assert refused.value.reason == "header or payload is not an object"
    else:
        assert refused.value.reason == reason


async def test_a_token_signed_by_hand_is_accepted() -> None:
    """The tokens `signed_by_hand` makes are refused above for their header or payload alone."""
    issuer = TestIssuer()
    claims = await issuer.verifier().verify(signed_by_hand(issuer, {}, segment(issuer.claims())))
    assert claims["iss"] == issuer.issuer


async def test_rs256_with_the_issuers_rsa_key() -> None:
    rsa = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
    issuer = TestIssuer()
    public = RSAKey.import_key(rsa.as_dict(private=False))
    verifier = TokenVerifier([Issuer(issuer.issuer, StaticKeys([public]))])
    header = {"alg": "RS256", "typ": "at+jwt", "kid": "rsa-1"}
    claims = await verifier.verify(jwt.encode(header, issuer.claims(), rsa, algorithms=["RS256"]))
    assert claims["iss"] == issuer.issuer
    tampered = jwt.encode(header, issuer.claims(), RSAKey.generate_key(2048), algorithms=["RS256"])
    with pytest.raises(AuthenticationError):
        await verifier.verify(tampered)


async def test_a_token_without_scope_has_none_and_one_of_several_audiences_is_enough() -> None:
    issuer = TestIssuer()
    claims = {k: v for k, v in issuer.claims().items() if k != "scope"}
    assert Principal.from_claims(await issuer.verifier().verify(issuer.sign(claims))).scopes == (
        frozenset()
    )
    several = issuer.sign({**issuer.claims(), "aud": ["billing", "switchboard"]})
    assert (await issuer.verifier().verify(several))["aud"] == ["billing", "switchboard"]


async def test_exp_and_nbf_at_the_edge_of_the_leeway(monkeypatch: pytest.MonkeyPatch) -> None:
    """`exp` must lie after now minus the leeway; `nbf` and `iat` may reach now plus it."""
    now = 1_900_000_000
    monkeypatch.setattr(verify_module, "time", SimpleNamespace(time=lambda: float(now)))
    issuer = TestIssuer()
    verifier = issuer.verifier(leeway_seconds=10)
    base = issuer.claims(issued_at=now)
    for claims, accepted in [
        ({**base, "exp": now - 10}, False),
        ({**base, "exp": now - 9}, True),
        ({**base, "nbf": now + 10}, True),
        ({**base, "nbf": now + 11}, False),
        ({**base, "iat": now + 10}, True),
        ({**base, "iat": now + 11}, False),
    ]:
        token = issuer.sign(claims)
        if accepted:
            await verifier.verify(token)
        else:
            with pytest.raises(AuthenticationError):
                await verifier.verify(token)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"issuers": []}, "at least one issuer must be trusted"),
        (
            {"algorithms": ["ES256", "HS256"]},
            "algorithms must be asymmetric signature algorithms, not ['HS256']",
        ),
        ({"algorithms": []}, "algorithms must be asymmetric signature algorithms, not []"),
        ({"leeway_seconds": 31}, "leeway is 0 to 30 seconds"),
        ({"leeway_seconds": -1}, "leeway is 0 to 30 seconds"),
    ],
)
def test_a_verifier_refuses_unsafe_settings_saying_which(
    settings: dict[str, Any], message: str
) -> None:
    issuer = TestIssuer()
    options = dict(settings)
    issuers = options.pop("issuers", [Issuer(issuer.issuer, issuer.key_source())])
    with pytest.raises(AuthConfigError) as refused:
        TokenVerifier(issuers, **options)
    assert str(refused.value) == message


def test_a_verifier_accepts_the_edges_of_its_settings() -> None:
    issuer = TestIssuer()
    for leeway in (0, 30):
        TokenVerifier([Issuer(issuer.issuer, issuer.key_source())], leeway_seconds=leeway)


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
    with pytest.raises(AuthenticationError) as refused:
        bearer_token(header)
    assert refused.value.reason == "not a Bearer token"


@pytest.mark.parametrize("header", ["Bearer abc", "bearer abc", "  Bearer   abc  "])
def test_a_bearer_token_is_read_whatever_the_case_and_spacing(header: str) -> None:
    # RFC 9110's credentials: the scheme, one or more spaces, the token.
    assert bearer_token(header) == "abc"


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
    assert issuer.jwks_accepted == ["application/json"]
