from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import ConfigError
from gateway.server import GatewayConfig
from gateway.server.headers import HeaderRules
from tests.server.harness import gateway

RULES = """
headers:
  all:
    request:
      - propagate: {named: x-tenant}
      - propagate: {named: x-client-id, rename: x-app-client, default: unknown}
      - propagate: {matching: "^x-feature-"}
      - propagate: {named: host}
      - insert: {name: x-gateway, value: "${env.GATEWAY_NAME:-switchboard}"}
  subgraphs:
    products:
      request:
        - remove: {named: x-tenant}
        - remove: {matching: "^x-feature-b"}
"""


def config(tmp_path: Path, text: str) -> GatewayConfig:
    path = tmp_path / "switchboard.yaml"
    path.write_text(text)
    return GatewayConfig.load(path, {})


def test_rules_run_in_order_all_first_then_the_subgraphs_own(tmp_path: Path) -> None:
    rules = HeaderRules.of(config(tmp_path, RULES).headers)
    assert rules is not None
    client = {
        "x-tenant": "acme",
        "x-feature-a": "1",
        "x-feature-b": "2",
        "host": "gateway.example",
        "authorization": "Bearer secret",
    }

    assert rules.for_subgraph("reviews", client) == {
        "x-tenant": "acme",
        "x-app-client": "unknown",
        "x-feature-a": "1",
        "x-feature-b": "2",
        "x-gateway": "switchboard",
    }
    assert rules.for_subgraph("products", client) == {
        "x-app-client": "unknown",
        "x-feature-a": "1",
        "x-gateway": "switchboard",
    }


async def test_a_subgraph_receives_the_headers_its_rules_build(tmp_path: Path) -> None:
    async with gateway(config=config(tmp_path, RULES)) as (client, subgraphs):
        response = await client.post(
            "/graphql",
            json={"query": '{ product(upc: "1") { name } }'},
            headers={"x-tenant": "acme", "x-client-id": "app-7", "x-feature-b2": "on"},
        )
        assert response.status_code == 200
    (headers,) = subgraphs.headers["products"]
    assert headers["x-app-client"] == "app-7"
    assert headers["x-gateway"] == "switchboard"
    assert "x-tenant" not in headers
    assert "x-feature-b2" not in headers
    assert headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("- propagate: {named: a, matching: b}", "exactly one of `named` or `matching`"),
        ("- insert: {name: a}", "`headers.all.request.0.insert.value`: Field required"),
        ("- {propagate: {named: a}, remove: {named: a}}", "exactly one of `propagate`"),
        ("- propagat: {named: a}", "did you mean `propagate`?"),
    ],
)
def test_malformed_rules_are_refused(tmp_path: Path, rule: str, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config(tmp_path, f"headers:\n  all:\n    request:\n      {rule}\n")
    assert problem in str(raised.value)


def test_no_rules_no_wrapper() -> None:
    assert HeaderRules.of(GatewayConfig().headers) is None
