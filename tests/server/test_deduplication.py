"""In-flight deduplication through the whole gateway: clients sending the same operation at the
same moment share a subgraph request only when they are the same principal with the same token;
two principals' requests both reach the subgraph, each with its own token, and each client gets
its own answer (`subgraphs.deduplicate_queries`, docs/design/inflight-dedup.md)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from gateway.auth import Authenticator, Revocations
from gateway.execution.inflight import InflightRequests
from gateway.server import GatewayConfig, create_app
from tests.execution.harness import supergraph
from tests.issuer import TestIssuer
from tests.server.harness import single_fetch_planner

QUERY = "{ me { username } }"
# Long enough for every concurrent client request to reach the subgraph when it should.
HOLD_SECONDS = 2.0
POLL_SECONDS = 0.001


class HeldUsers:
    """Answers `me` with the token it was sent, once every one of `clients` concurrent client
    requests has reached the gateway's subgraph client (sent its fetch or joined one), so the
    requests are in flight at the same moment for certain. After `HOLD_SECONDS` it answers
    anyway: a broken gateway fails the test rather than hanging it."""

    def __init__(self, clients: int) -> None:
        self.clients = clients
        self.tokens: list[str | None] = []
        self.inflight: InflightRequests[Any] | None = None

    def all_arrived(self) -> bool:
        if self.inflight is None:
            return len(self.tokens) >= self.clients
        return self.inflight.started + self.inflight.shared >= self.clients

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("authorization")
        self.tokens.append(token)
        # Polled: the counters change inside the gateway, which signals nothing.
        for _ in range(round(HOLD_SECONDS / POLL_SECONDS)):
            if self.all_arrived():
                break
            await asyncio.sleep(POLL_SECONDS)
        return httpx.Response(200, json={"data": {"me": {"username": token}}})


@asynccontextmanager
async def gateway(
    subgraph: HeldUsers, issuer: TestIssuer, *, deduplicate: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        supergraph("products"),
        config=GatewayConfig.model_validate({"subgraphs": {"deduplicate_queries": deduplicate}}),
        transport=httpx.MockTransport(subgraph),
        planner=single_fetch_planner,
        authenticator=Authenticator(issuer.verifier(), Revocations()),
    )
    subgraph.inflight = app.state.subgraph_client.inflight
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        yield client
    await app.state.subgraph_client.aclose()


async def post_all(client: httpx.AsyncClient, tokens: list[str]) -> list[object]:
    responses = await asyncio.gather(
        *(
            client.post(
                "/graphql", json={"query": QUERY}, headers={"authorization": f"Bearer {token}"}
            )
            for token in tokens
        )
    )
    return [response.json() for response in responses]


def answer(token: str) -> dict[str, object]:
    return {"data": {"me": {"username": f"Bearer {token}"}}}


async def test_two_principals_never_share_a_subgraph_request() -> None:
    issuer = TestIssuer()
    alice = issuer.token(app="app_alice")
    bob = issuer.token(app="app_bob")
    subgraph = HeldUsers(clients=4)
    async with gateway(subgraph, issuer) as client:
        answers = await post_all(client, [alice, bob, alice, bob])

    assert answers == [answer(alice), answer(bob), answer(alice), answer(bob)]
    # Alice's two identical requests share one subgraph request, Bob's two another.
    assert sorted(subgraph.tokens, key=str) == sorted([f"Bearer {alice}", f"Bearer {bob}"])


async def test_one_token_at_once_is_one_subgraph_request() -> None:
    issuer = TestIssuer()
    token = issuer.token(app="app_alice")
    subgraph = HeldUsers(clients=3)
    async with gateway(subgraph, issuer) as client:
        answers = await post_all(client, [token, token, token])

    assert answers == [answer(token)] * 3
    assert subgraph.tokens == [f"Bearer {token}"]


async def test_turned_off_each_client_request_is_a_subgraph_request() -> None:
    issuer = TestIssuer()
    token = issuer.token(app="app_alice")
    subgraph = HeldUsers(clients=3)
    async with gateway(subgraph, issuer, deduplicate=False) as client:
        answers = await post_all(client, [token, token, token])

    assert answers == [answer(token)] * 3
    assert subgraph.tokens == [f"Bearer {token}"] * 3
