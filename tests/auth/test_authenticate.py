"""A request's headers to its `Principal` (`Authenticator`, `Principal.from_claims`): every claim
the principal carries, claims of the wrong type left out, and each refusal with the reason the
gateway logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from gateway.auth import ANONYMOUS, AuthenticationError, Authenticator, Principal
from tests.issuer import TestIssuer


async def test_a_token_maps_to_a_principal_carrying_each_claim() -> None:
    issuer = TestIssuer()
    claims = issuer.claims(
        app="app_1", installation="inst_1", workspace="ws_1", org="org_1", scopes={"b", "a"}
    )
    principal = await Authenticator(issuer.verifier()).principal(
        {"authorization": f"Bearer {issuer.sign(claims)}"}
    )
    assert principal == Principal(
        app_id="app_1",
        installation_id="inst_1",
        workspace_id="ws_1",
        organization_id="org_1",
        user_id=None,
        scopes=frozenset({"a", "b"}),
        token_id=claims["jti"],
        client_id="app_1",
        issuer="https://issuer.test",
        issued_at=float(claims["iat"]),
        expires_at=float(claims["exp"]),
        authenticated=True,
    )


def test_claims_of_the_wrong_type_or_empty_are_left_out() -> None:
    principal = Principal.from_claims(
        {
            "app": "",
            "installation": 7,
            "workspace": ["ws_1"],
            "org": None,
            "sub": "",
            "scope": ["a"],
            "jti": True,
            "client_id": {"id": "c"},
            "iss": b"https://issuer.test",
            "iat": True,
            "exp": "1700000000",
        }
    )
    assert principal == Principal(authenticated=True)


def test_a_person_is_named_by_sub_and_an_app_never_is() -> None:
    assert Principal.from_claims({"sub": "user_7"}).user_id == "user_7"
    assert Principal.from_claims({"sub": "user_7", "app": "app_1"}).user_id is None
    assert Principal.from_claims({"iat": 5, "exp": 6.5}).issued_at == 5.0
    assert Principal.from_claims({"iat": 5, "exp": 6.5}).expires_at == 6.5


async def test_no_authorization_header_is_anonymous_even_without_an_issuer() -> None:
    assert await Authenticator(None).principal({}) is ANONYMOUS
    assert await Authenticator(TestIssuer().verifier()).principal({"x-user": "u"}) is ANONYMOUS


async def test_a_token_without_an_issuer_configured_is_refused_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = TestIssuer().token()
    with (
        caplog.at_level(logging.INFO, "gateway.auth"),
        pytest.raises(AuthenticationError) as refusal,
    ):
        await Authenticator(None).principal({"authorization": f"Bearer {token}"})
    assert refusal.value.reason == "no issuer is configured"
    assert caplog.messages == ["refused an access token: no issuer is configured"]


async def test_a_header_that_is_no_bearer_token_is_refused_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        caplog.at_level(logging.INFO, "gateway.auth"),
        pytest.raises(AuthenticationError) as refusal,
    ):
        await Authenticator(TestIssuer().verifier()).principal({"authorization": "Basic abc"})
    assert refusal.value.reason == "not a Bearer token"
    assert caplog.messages == ["refused an access token: not a Bearer token"]


async def test_a_revoked_token_is_refused_by_its_own_revocations_by_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    issuer = TestIssuer()
    authenticator = Authenticator(issuer.verifier())
    headers = issuer.headers(app="app_1", jti="token-1")
    assert (await authenticator.principal(headers)).token_id == "token-1"
    authenticator.revocations.apply(
        SimpleNamespace(
            type="grant.revoked", payload={"jtis": ["token-1"]}, occurred_at=datetime.now(UTC)
        )
    )
    with (
        caplog.at_level(logging.INFO, "gateway.auth"),
        pytest.raises(AuthenticationError) as refusal,
    ):
        await authenticator.principal(headers)
    assert refusal.value.reason == "token token-1 is revoked"
    assert caplog.messages == ["refused an access token: token token-1 is revoked"]
