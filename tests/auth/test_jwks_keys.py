"""An issuer's public keys (`public_keys`, `JwksKeys`): which keys of a JWKS are kept, when the
set is fetched again, and what a failed fetch leaves (the keys it had, one line in the log)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

from gateway.auth.keys import MAX_JWKS_BYTES, JwksKeys, StaticKeys, public_keys

URL = "https://issuer.test/.well-known/jwks.json"


def ec(kid: str) -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": kid})


def public(key: ECKey | RSAKey | OKPKey, **extra: Any) -> dict[str, Any]:
    return {**key.as_dict(private=False), **extra}


def test_only_asymmetric_public_signing_keys_with_a_kid_are_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rsa = RSAKey.generate_key(2048, parameters={"kid": "rsa"})
    okp = OKPKey.generate_key("Ed25519", parameters={"kid": "okp"})
    entries = [
        public(ec("ec")),
        # An unreadable key is skipped, not the rest of the set after it.
        {"kid": "broken", "kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
        public(rsa),
        public(okp),
        public(ec("signing"), use="sig"),
        public(ec("encrypting"), use="enc"),
        ec("private").as_dict(private=True),
        OctKey.generate_key(256, parameters={"kid": "shared"}).as_dict(),
        {**public(ec("unnamed")), "kid": None},
        {**public(ec("numbered")), "kid": 7},
        "not an object",
    ]
    with caplog.at_level(logging.WARNING, "gateway.auth"):
        keys = public_keys({"keys": entries})

    assert sorted(keys) == ["ec", "okp", "rsa", "signing"]
    assert keys["rsa"].as_dict(private=False) == rsa.as_dict(private=False)
    assert keys["okp"].as_dict(private=False) == okp.as_dict(private=False)
    assert caplog.messages == ["skipping an unreadable key 'broken' in a JWKS"]


@pytest.mark.parametrize("document", [{}, {"keys": None}, {"keys": {"kid": "a"}}])
def test_a_jwks_without_a_list_of_keys_has_none(document: dict[str, Any]) -> None:
    assert public_keys(document) == {}


async def test_static_keys_serve_their_keys_by_kid() -> None:
    first, second = ec("first"), ec("second")
    keys = StaticKeys.from_jwks({"keys": [public(first), public(second)]})
    found = await keys.key("second")
    assert found is not None
    assert found.as_dict(private=False) == second.as_dict(private=False)
    assert await keys.key("third") is None


class Issuer:
    """A JWKS endpoint answering what `answer` says, and a clock the test moves."""

    def __init__(self) -> None:
        self.keys = [ec("first")]
        self.answer: httpx.Response | Exception | None = None
        self.requests: list[httpx.Request] = []
        self.now = 1000.0

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.answer, Exception):
            raise self.answer
        if self.answer is not None:
            return self.answer
        return httpx.Response(200, json={"keys": [public(key) for key in self.keys]})

    def source(self, **options: Any) -> JwksKeys:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self.handle))
        return JwksKeys(URL, client=client, clock=lambda: self.now, **options)


async def test_keys_are_fetched_once_asking_for_json_and_kept() -> None:
    issuer = Issuer()
    keys = issuer.source()
    assert await keys.key("first") is not None
    assert await keys.key("first") is not None
    assert await keys.key("first") is not None
    assert keys.fetches == 1
    (request,) = issuer.requests
    assert (str(request.url), request.headers["accept"]) == (URL, "application/json")


async def test_the_set_is_fetched_again_after_max_age_so_a_retired_key_stops_verifying() -> None:
    # The defaults: five minutes for the whole set, ten seconds between refetches for a kid.
    issuer = Issuer()
    keys = issuer.source()
    assert await keys.key("first") is not None
    issuer.keys = [ec("second")]
    issuer.now += 299.9
    assert await keys.key("first") is not None
    assert keys.fetches == 1
    issuer.now += 0.1
    assert await keys.key("first") is None
    assert keys.fetches == 2
    assert await keys.key("second") is not None
    assert keys.fetches == 2


async def test_an_unknown_kid_is_fetched_again_once_the_interval_has_passed() -> None:
    issuer = Issuer()
    keys = issuer.source()
    assert await keys.key("first") is not None
    issuer.keys = [ec("first"), ec("rotated")]
    issuer.now += 9.9
    assert await keys.key("rotated") is None
    assert keys.fetches == 1
    issuer.now += 0.1
    assert await keys.key("rotated") is not None
    assert keys.fetches == 2


async def test_a_max_age_below_the_interval_waits_for_the_interval() -> None:
    issuer = Issuer()
    keys = issuer.source(refetch_interval=60.0, max_age=5.0)
    assert await keys.key("first") is not None
    issuer.now += 30
    assert await keys.key("first") is not None
    assert keys.fetches == 1
    issuer.now += 30
    assert await keys.key("first") is not None
    assert keys.fetches == 2


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.Response(503, content=b"down"), "HTTP 503, 4 bytes"),
        (
            httpx.Response(200, content=b" " * (MAX_JWKS_BYTES + 1)),
            f"HTTP 200, {MAX_JWKS_BYTES + 1} bytes",
        ),
        (httpx.Response(200, json=[{"keys": []}]), "not a JSON object"),
        (
            httpx.Response(200, content=b"{"),
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (httpx.ConnectError("refused"), "refused"),
    ],
    ids=["an error status", "too large", "not an object", "not JSON", "unreachable"],
)
async def test_a_failed_fetch_keeps_the_keys_it_had_and_waits_for_the_interval(
    answer: httpx.Response | Exception, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    issuer = Issuer()
    keys = issuer.source()
    assert await keys.key("first") is not None
    issuer.answer = answer
    issuer.now += 300
    with caplog.at_level(logging.WARNING, "gateway.auth"):
        assert await keys.key("first") is not None
        assert await keys.key("other") is None
    assert keys.fetches == 2
    assert caplog.messages == [f"cannot fetch the JWKS at {URL}: {reason}"]
    # The next attempt waits for the interval, counted from the failed one.
    issuer.answer = None
    issuer.now += 9.9
    assert await keys.key("other") is None
    assert keys.fetches == 2
    issuer.now += 0.1
    assert await keys.key("other") is None
    assert keys.fetches == 3


async def test_a_jwks_of_exactly_the_largest_size_is_read() -> None:
    issuer = Issuer()
    document = json.dumps({"keys": [public(key) for key in issuer.keys]}).encode()
    issuer.answer = httpx.Response(200, content=document.ljust(MAX_JWKS_BYTES))
    keys = issuer.source()
    assert await keys.key("first") is not None


async def test_an_issuer_that_never_answers_is_given_up_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The fetch's own client times out (5 s): without it, the first request with a token would
    # wait as long as the issuer's socket stays open.
    released = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await released.wait()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}/.well-known/jwks.json"
    try:
        with caplog.at_level(logging.WARNING, "gateway.auth"):
            assert await asyncio.wait_for(JwksKeys(url).key("first"), 20) is None
    finally:
        released.set()
        server.close()
        await server.wait_closed()
    assert caplog.messages == [f"cannot fetch the JWKS at {url}: "]
