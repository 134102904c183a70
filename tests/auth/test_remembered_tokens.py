"""A verifier that remembers tokens (`TokenVerifier(remember=N)`, the subgraphs'): a token is
verified in full once, yet on every later use it is still refused once expired, once its key
left the issuer's key source, and once revoked."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from gateway.auth import AuthenticationError, Authenticator, Issuer, Revocations, TokenVerifier
from gateway.auth import verify as verify_module
from gateway.auth.keys import PublicKey, StaticKeys
from tests.issuer import TestIssuer


class Keys:
    """A key source whose keys the test changes."""

    def __init__(self, source: StaticKeys) -> None:
        self.source: StaticKeys | None = source

    async def key(self, kid: str) -> PublicKey | None:
        return None if self.source is None else await self.source.key(kid)


def remembering(issuer: TestIssuer, keys: Any = None, size: int = 8) -> TokenVerifier:
    return TokenVerifier([Issuer(issuer.issuer, keys or issuer.key_source())], remember=size)


def count_signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    checked: list[str] = []
    original = TokenVerifier._check_signature

    def counting(self: TokenVerifier, *args: Any) -> None:
        checked.append(args[1])
        original(self, *args)

    monkeypatch.setattr(TokenVerifier, "_check_signature", counting)
    return checked


async def test_a_remembered_token_is_verified_once(monkeypatch: pytest.MonkeyPatch) -> None:
    checked = count_signature_checks(monkeypatch)
    issuer = TestIssuer()
    verifier = remembering(issuer)
    token = issuer.token(app="app_1")
    first = await verifier.verify(token)
    first["app"] = "changed by the caller"
    second = await verifier.verify(token)
    assert second["app"] == "app_1"
    assert len(checked) == 1
    # Not remembering (the gateway's default): every use is verified.
    plain = issuer.verifier()
    await plain.verify(token)
    await plain.verify(token)
    assert len(checked) == 3


async def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    issuer = TestIssuer()
    verifier = remembering(issuer)
    token = issuer.token(lifetime=60)
    await verifier.verify(token)
    later = time.time() + 60 + 31  # past the expiry and the leeway
    monkeypatch.setattr(verify_module, "time", SimpleNamespace(time=lambda: later))
    with pytest.raises(AuthenticationError) as refusal:
        await verifier.verify(token)
    assert refusal.value.reason == "expired or no exp"


async def test_a_remembered_token_is_refused_once_its_key_is_gone() -> None:
    issuer = TestIssuer()
    keys = Keys(issuer.key_source())
    verifier = remembering(issuer, keys)
    token = issuer.token()
    await verifier.verify(token)
    keys.source = None  # the key left the JWKS
    with pytest.raises(AuthenticationError) as refusal:
        await verifier.verify(token)
    assert refusal.value.reason.startswith("unknown kid")
    # A refetched key set holds new key objects: verified in full again, and accepted.
    keys.source = issuer.key_source()
    assert (await verifier.verify(token))["iss"] == issuer.issuer


async def test_a_remembered_token_is_refused_once_revoked() -> None:
    issuer = TestIssuer()
    revocations = Revocations()
    authenticator = Authenticator(remembering(issuer), revocations)
    token = issuer.token(app="app_1", installation="inst_1", jti="token-1")
    headers = {"authorization": f"Bearer {token}"}
    assert (await authenticator.principal(headers)).app_id == "app_1"
    revocations.apply(
        SimpleNamespace(
            type="grant.revoked", payload={"jtis": ["token-1"]}, occurred_at=datetime.now(UTC)
        )
    )
    with pytest.raises(AuthenticationError) as refusal:
        await authenticator.principal(headers)
    assert refusal.value.reason == "token token-1 is revoked"


async def test_a_refused_token_is_never_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    checked = count_signature_checks(monkeypatch)
    issuer = TestIssuer()
    verifier = remembering(issuer)
    forged = TestIssuer(issuer.issuer, kid=issuer.kid).token()  # another key, same kid
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            await verifier.verify(forged)
    assert len(checked) == 2


async def test_remembered_tokens_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    checked = count_signature_checks(monkeypatch)
    issuer = TestIssuer()
    verifier = remembering(issuer, size=2)
    tokens = [issuer.token(jti=str(number)) for number in range(3)]
    for token in tokens:
        await verifier.verify(token)
    await verifier.verify(tokens[2])  # kept
    await verifier.verify(tokens[0])  # the oldest was forgotten: verified again
    assert len(checked) == 4
