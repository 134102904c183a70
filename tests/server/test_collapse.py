"""Operation collapsing through the whole gateway: identical queries in flight at the same
moment share one execution only when they are the same operation, variables and principal;
mutations never share; a failure of the shared execution reaches every waiting request as a
GraphQL answer; a waiting request that goes away does not take the execution from the others;
each request is still rate limited, costed and recorded on its own
(`subgraphs.deduplicate_operations`, docs/design/operation-collapsing.md).

Fetch deduplication is off in these tests unless said otherwise, so that every shared subgraph
request counted here was shared by collapsing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest

from gateway.auth import Authenticator, Revocations
from gateway.demand import CostFormula, DemandControlConfig
from gateway.operation import PreparedOperation
from gateway.planning.nodes import QueryPlan
from gateway.ratelimit import RateLimitConfig
from gateway.ratelimit.config import Quota, Quotas
from gateway.server import GatewayConfig, create_app
from gateway.server import pipeline as pipeline_module
from gateway.server.collapse import CollapsedQueries
from gateway.server.pipeline import Pipeline
from gateway.subscriptions.shared import Shaped
from gateway.usage import UsageRecord
from tests.auth.harness import platform_supergraph
from tests.auth.mock_subgraphs import MockSubgraphs
from tests.execution.harness import supergraph
from tests.issuer import TestIssuer
from tests.server.harness import single_fetch_planner

QUERY = "{ me { username } }"
# Long enough for every concurrent client request to reach the gateway when it should; a
# broken gateway fails the test after it rather than hanging it.
HOLD_SECONDS = 2.0
POLL_SECONDS = 0.001


async def until(condition: Callable[[], bool]) -> None:
    """Polled: the counters change inside the gateway, which signals nothing."""
    for _ in range(round(HOLD_SECONDS / POLL_SECONDS)):
        if condition():
            return
        await asyncio.sleep(POLL_SECONDS)


def cached(planner: Callable[[PreparedOperation, frozenset[str]], QueryPlan]) -> Any:
    """One plan object per operation and labels, as the gateway's plan cache hands them out."""
    plans: dict[tuple[str, str | None, frozenset[str]], QueryPlan] = {}

    def planned(operation: PreparedOperation, labels: frozenset[str]) -> QueryPlan:
        key = (operation.hash, operation.name, labels)
        if key not in plans:
            plans[key] = planner(operation, labels)
        return plans[key]

    return planned


@dataclass
class HeldSubgraph:
    """Answers with the token and variables it was sent once `released()` says so (or after
    `HOLD_SECONDS`), so that the client requests are in flight at the same moment for certain."""

    released: Callable[[], bool] = lambda: True
    bodies: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[str | None] = field(default_factory=list)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        token = request.headers.get("authorization")
        self.bodies.append(body)
        self.tokens.append(token)
        number = len(self.bodies)
        await until(self.released)
        if body["query"].startswith("mutation"):
            return httpx.Response(200, json={"data": {"addReview": {"id": str(number)}}})
        upc = (body.get("variables") or {}).get("upc")
        if upc is not None:
            return httpx.Response(200, json={"data": {"product": {"name": f"product {upc}"}}})
        return httpx.Response(200, json={"data": {"me": {"username": token}}})


@dataclass
class Gateway:
    client: httpx.AsyncClient
    pipeline: Pipeline
    issuer: TestIssuer

    @property
    def collapse(self) -> CollapsedQueries:
        assert self.pipeline.collapse is not None
        return self.pipeline.collapse

    def executions(self) -> int:
        return self.collapse.inflight.started

    def arrived(self) -> int:
        """Requests that started an execution or joined one."""
        return self.collapse.inflight.started + self.collapse.inflight.shared

    async def post_all(
        self, tokens: Sequence[str], query: str = QUERY, variables: Sequence[Any] = ()
    ) -> list[httpx.Response]:
        return list(
            await asyncio.gather(
                *(
                    self.client.post(
                        "/graphql",
                        json={"query": query, "variables": variables[index] if variables else None},
                        headers={"authorization": f"Bearer {token}"},
                    )
                    for index, token in enumerate(tokens)
                )
            )
        )


@asynccontextmanager
async def gateway(
    subgraph: HeldSubgraph, *, collapse: bool = True, deduplicate_fetches: bool = False
) -> AsyncIterator[Gateway]:
    issuer = TestIssuer()
    app = create_app(
        supergraph("products"),
        config=GatewayConfig.model_validate(
            {
                "subgraphs": {
                    "deduplicate_queries": deduplicate_fetches,
                    "deduplicate_operations": collapse,
                }
            }
        ),
        transport=httpx.MockTransport(subgraph),
        planner=cached(single_fetch_planner),
        authenticator=Authenticator(issuer.verifier(), Revocations()),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        yield Gateway(client, app.state.pipeline, issuer)
    await app.state.subgraph_client.aclose()


def me(token: str) -> dict[str, Any]:
    return {"data": {"me": {"username": f"Bearer {token}"}}}


async def test_one_principal_at_once_is_one_execution() -> None:
    subgraph = HeldSubgraph()
    async with gateway(subgraph) as running:
        subgraph.released = lambda: running.arrived() >= 3
        token = running.issuer.token(app="app_alice")
        answers = await running.post_all([token, token, token])
        executions = running.executions()

    assert [answer.json() for answer in answers] == [me(token)] * 3
    assert executions == 1
    assert subgraph.tokens == [f"Bearer {token}"]


async def test_two_principals_never_share_an_execution() -> None:
    subgraph = HeldSubgraph()
    async with gateway(subgraph) as running:
        subgraph.released = lambda: running.arrived() >= 4
        alice = running.issuer.token(app="app_alice")
        bob = running.issuer.token(app="app_bob")
        answers = await running.post_all([alice, bob, alice, bob])

    assert [answer.json() for answer in answers] == [me(alice), me(bob), me(alice), me(bob)]
    # Alice's two identical requests share one execution, Bob's two another.
    assert sorted(subgraph.tokens, key=str) == sorted([f"Bearer {alice}", f"Bearer {bob}"])


async def test_different_variables_never_share_an_execution() -> None:
    subgraph = HeldSubgraph()
    query = "query Product($upc: String!) { product(upc: $upc) { name } }"
    async with gateway(subgraph) as running:
        subgraph.released = lambda: running.arrived() >= 3
        token = running.issuer.token(app="app_alice")
        variables = [{"upc": "1"}, {"upc": "2"}, {"upc": "1"}]
        answers = await running.post_all([token] * 3, query, variables)

    assert [answer.json()["data"]["product"]["name"] for answer in answers] == [
        "product 1",
        "product 2",
        "product 1",
    ]
    assert sorted(body["variables"]["upc"] for body in subgraph.bodies) == ["1", "2"]


async def test_mutations_never_share_an_execution() -> None:
    subgraph = HeldSubgraph()
    mutation = 'mutation { addReview(upc: "1", body: "ok") { id } }'
    subgraph.released = lambda: len(subgraph.bodies) >= 3
    async with gateway(subgraph, deduplicate_fetches=True) as running:
        token = running.issuer.token(app="app_alice")
        answers = await running.post_all([token] * 3, mutation)

    assert sorted(answer.json()["data"]["addReview"]["id"] for answer in answers) == ["1", "2", "3"]
    assert len(subgraph.bodies) == 3


async def test_turned_off_each_request_runs_its_own_execution() -> None:
    subgraph = HeldSubgraph()
    subgraph.released = lambda: len(subgraph.bodies) >= 3
    async with gateway(subgraph, collapse=False) as running:
        assert running.pipeline.collapse is None
        token = running.issuer.token(app="app_alice")
        answers = await running.post_all([token] * 3)

    assert [answer.json() for answer in answers] == [me(token)] * 3
    assert len(subgraph.bodies) == 3


async def test_a_subgraph_failure_reaches_every_waiting_request() -> None:
    attempts = 0

    async def failing(_: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        await until(lambda: running.arrived() >= 3)
        return httpx.Response(503, text="down")

    issuer = TestIssuer()
    app = create_app(
        supergraph("products"),
        config=GatewayConfig.model_validate({"subgraphs": {"deduplicate_queries": False}}),
        transport=httpx.MockTransport(failing),
        planner=cached(single_fetch_planner),
        authenticator=Authenticator(issuer.verifier(), Revocations()),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        running = Gateway(client, app.state.pipeline, issuer)
        answers = await running.post_all([issuer.token(app="app_alice")] * 3)
    await app.state.subgraph_client.aclose()

    assert attempts == 1
    bodies = [answer.json() for answer in answers]
    assert [answer.status_code for answer in answers] == [200] * 3
    assert bodies[0]["data"] == {"me": None}
    assert bodies[0]["errors"][0]["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    assert bodies == [bodies[0]] * 3


async def test_an_internal_failure_reaches_every_waiting_request_as_a_graphql_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    executions = 0

    async def broken(*_: Any, **__: Any) -> Any:
        nonlocal executions
        executions += 1
        await until(lambda: running.arrived() >= 3)
        raise RuntimeError("the executor broke")

    monkeypatch.setattr(pipeline_module, "execute", broken)
    async with gateway(HeldSubgraph()) as running:
        token = running.issuer.token(app="app_alice")
        answers = await running.post_all([token] * 3)

    assert executions == 1
    assert [answer.status_code for answer in answers] == [200] * 3
    trace_ids = set()
    for answer in answers:
        body = answer.json()
        assert body["data"] is None
        [error] = body["errors"]
        assert error["message"] == "Internal server error"
        assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        assert "broke" not in answer.text
        trace_ids.add(error["extensions"]["traceId"])
    # Each request logged and answered the failure under its own trace id.
    assert len(trace_ids) == 3


async def test_a_cancelled_first_request_leaves_the_execution_to_the_others() -> None:
    release = asyncio.Event()
    subgraph = HeldSubgraph(released=release.is_set)
    async with gateway(subgraph) as running:
        token = running.issuer.token(app="app_alice")
        headers = {"authorization": f"Bearer {token}"}

        def request() -> asyncio.Task[Any]:
            return asyncio.create_task(running.pipeline.run(QUERY, None, None, headers=headers))

        first = request()
        await until(lambda: len(subgraph.bodies) == 1)
        others = [request(), request()]
        await until(lambda: running.arrived() == 3)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        release.set()
        outcomes = await asyncio.gather(*others)

    assert [outcome.response for outcome in outcomes] == [me(token)] * 2
    assert len(subgraph.bodies) == 1


async def test_every_request_is_rate_limited_costed_and_recorded_on_its_own() -> None:
    supergraph_ = platform_supergraph()
    issuer = TestIssuer()
    mock = MockSubgraphs(supergraph_.api_schema)
    records: list[UsageRecord] = []

    class Sink:
        async def send(self, batch: Sequence[UsageRecord]) -> None:
            records.extend(batch)

        async def close(self) -> None:
            return None

    async def held(request: httpx.Request) -> httpx.Response:
        await until(lambda: pipeline.collapse is not None and arrived() >= 2)
        return mock(request)

    app = create_app(
        supergraph_,
        config=GatewayConfig(
            subgraphs={"deduplicate_queries": False},  # type: ignore[arg-type]
            demand_control=DemandControlConfig(enabled=True),
            rate_limits=RateLimitConfig(
                enabled=True,
                installation=Quotas(requests=Quota(limit=2, window_seconds=60)),
                app=Quotas(),
            ),
        ),
        transport=httpx.MockTransport(held),
        authenticator=Authenticator(issuer.verifier(), Revocations()),
        usage_sink=Sink(),
    )
    pipeline: Pipeline = app.state.pipeline
    assert pipeline.collapse is not None
    inflight = pipeline.collapse.inflight

    def arrived() -> int:
        return inflight.started + inflight.shared

    headers = {**issuer.headers(app="app_metered", installation="inst_1")}
    query = "query Listings { listings(first: 5) { nodes { id tagline } } }"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        answers = await asyncio.gather(
            *(client.post("/graphql", json={"query": query}, headers=headers) for _ in range(3))
        )
        assert pipeline.metering.recorder is not None
        await pipeline.metering.recorder.flush()
    await app.state.subgraph_client.aclose()

    # The third request took its own from the bucket, found it empty and never joined.
    assert sorted(answer.status_code for answer in answers) == [200, 200, 429]
    assert (inflight.started, inflight.shared) == (1, 1)
    assert len(mock.requests) == 1
    served = [answer for answer in answers if answer.status_code == 200]
    # Each answer says what is left in the bucket after its own take.
    remaining = sorted(answer.headers["ratelimit"].split(";")[1] for answer in served)
    assert remaining == ["r=0", "r=1"]
    for answer in served:
        assert answer.json()["extensions"]["cost"]["requestedQueryCost"] == 6
    assert sorted(record.http_status for record in records) == [200, 200, 429]
    for record in records:
        if record.http_status == 200:
            # The shared execution's fetch times are in every record it answered.
            assert set(record.subgraph_timings) == {"marketplace"}
            assert record.actual_cost == 2


async def test_collapsed_requests_with_their_own_cost_share_one_encoding_of_the_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each answer carries its own `extensions.cost`, and the shared `data` is still encoded
    once for all of them (the transport writes the same encoded fragment into each). The
    actual cost was counted once, by the shared execution's shaping: no waiter walks the
    response again."""

    def walked(*_: object) -> int:
        raise AssertionError("the response was walked for its actual cost")

    monkeypatch.setattr(CostFormula, "actual", walked)
    supergraph_ = platform_supergraph()
    issuer = TestIssuer()
    mock = MockSubgraphs(supergraph_.api_schema)

    async def held(request: httpx.Request) -> httpx.Response:
        await until(lambda: inflight.started + inflight.shared >= 2)
        return mock(request)

    app = create_app(
        supergraph_,
        config=GatewayConfig(
            subgraphs={"deduplicate_queries": False},  # type: ignore[arg-type]
            demand_control=DemandControlConfig(enabled=True),
        ),
        transport=httpx.MockTransport(held),
        authenticator=Authenticator(issuer.verifier(), Revocations()),
    )
    pipeline: Pipeline = app.state.pipeline
    assert pipeline.collapse is not None
    inflight = pipeline.collapse.inflight
    headers = issuer.headers(app="app_metered", installation="inst_1")
    query = "query Listings { listings(first: 5) { nodes { id tagline } } }"
    outcomes = await asyncio.gather(
        *(pipeline.run(query, None, None, headers=headers) for _ in range(2))
    )
    await app.state.subgraph_client.aclose()

    assert (inflight.started, inflight.shared) == (1, 1)
    first, second = (outcome.response for outcome in outcomes)
    assert first is not second
    for answer in (first, second):
        assert answer["extensions"]["cost"]["actualQueryCost"] == 2
    assert isinstance(first, Shaped)
    assert isinstance(second, Shaped)
    encoded = first.data_fragment()
    assert encoded is not None
    assert encoded is second.data_fragment()
    assert orjson.loads(orjson.dumps(encoded)) == first["data"]
