"""`@policy`: decided by the hook switchboard.yaml names (`auth.policy_hook`), every policy
denied without one. The platform supergraph carries no `@policy`, so the test adds one to
`App.webhookUrl`."""

from __future__ import annotations

from collections.abc import Set

import httpx
import pytest

from gateway.auth import Authenticator, Principal
from gateway.auth.config import AuthConfig
from gateway.auth.errors import AuthConfigError
from gateway.auth.policy import load_policy_hook
from gateway.server import GatewayConfig, create_app
from gateway.supergraph import Supergraph
from tests.auth.harness import SUPERGRAPH
from tests.auth.mock_subgraphs import MockSubgraphs
from tests.issuer import TestIssuer

QUERY = '{ app(id: "a") { name webhookUrl } }'


def decide(principal: Principal, policies: frozenset[str]) -> Set[str]:
    """The test's policy: only the internal app holds `internal`."""
    return {"internal"} if principal.app_id == "app_internal" else set()


def with_policy() -> Supergraph:
    sdl = SUPERGRAPH.read_text(encoding="utf-8")
    sdl = sdl.replace(
        '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)',
        '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)\n'
        '  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)',
    )
    sdl = sdl.replace(
        "scalar requiresScopes__Scope",
        "scalar requiresScopes__Scope\n\nscalar policy__Policy\n\n"
        "directive @policy(policies: [[policy__Policy!]!]!) "
        "on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    )
    sdl = sdl.replace(
        "webhookUrl: String @join__field(graph: APPS) "
        '@authenticated @requiresScopes(scopes: [["apps:read"]])',
        'webhookUrl: String @join__field(graph: APPS) @policy(policies: [["internal"]])',
    )
    return Supergraph.from_sdl(sdl)


async def webhook_url(config: GatewayConfig, issuer: TestIssuer, app: str) -> dict[str, object]:
    supergraph = with_policy()
    gateway = create_app(
        supergraph,
        config=config,
        transport=httpx.MockTransport(MockSubgraphs(supergraph.api_schema)),
        authenticator=Authenticator(issuer.verifier()),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=gateway), base_url="http://gateway"
    ) as client:
        response = await client.post(
            "/graphql", json={"query": QUERY}, headers=issuer.headers(app=app)
        )
    body: dict[str, object] = response.json()
    return body


async def test_the_hook_grants_policies() -> None:
    issuer = TestIssuer()
    config = GatewayConfig(auth=AuthConfig(policy_hook="tests.auth.test_policy:decide"))
    granted = await webhook_url(config, issuer, "app_internal")
    assert granted == {"data": {"app": {"name": "text", "webhookUrl": "text"}}}
    denied = await webhook_url(config, issuer, "app_other")
    assert denied["data"] == {"app": {"name": "text", "webhookUrl": None}}
    assert denied["errors"][0]["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE"  # type: ignore[index]


async def test_without_a_hook_every_policy_is_denied() -> None:
    denied = await webhook_url(GatewayConfig(), TestIssuer(), "app_internal")
    assert denied["data"] == {"app": {"name": "text", "webhookUrl": None}}


def test_no_hook_denies_every_policy() -> None:
    for reference in (None, ""):
        hook = load_policy_hook(reference)
        assert hook(Principal(app_id="app_internal"), frozenset({"internal"})) == frozenset()


def test_the_hook_is_a_function_of_a_module() -> None:
    assert load_policy_hook("tests.auth.test_policy:decide") is decide


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("tests.auth.test_policy", "auth.policy_hook is `package.module:function`"),
        (":decide", "auth.policy_hook is `package.module:function`"),
        (
            "tests.auth.test_policy:decide:now",
            "auth.policy_hook 'tests.auth.test_policy:decide:now': module "
            "'tests.auth.test_policy' has no attribute 'decide:now'",
        ),
        (
            "no.such.module:decide",
            "auth.policy_hook 'no.such.module:decide': No module named 'no'",
        ),
        (
            "tests.auth.test_policy:QUERY",
            "auth.policy_hook 'tests.auth.test_policy:QUERY' is not callable",
        ),
    ],
)
def test_a_hook_that_cannot_be_loaded_is_refused_saying_why(reference: str, message: str) -> None:
    with pytest.raises(AuthConfigError) as refusal:
        load_policy_hook(reference)
    assert str(refusal.value) == message
