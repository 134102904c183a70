"""`make bench --auth`: the bench issuer's tokens verify against the JWKS it serves, the
gateway config trusts it, and each connection gets a token of its own."""

from __future__ import annotations

from pathlib import Path

import yaml

from bench.auth import bench_issuer
from bench.gateways import DEDUP_OFF_CONFIG
from bench.load.wrk import write_script
from gateway.auth import AuthConfig
from gateway.server import GatewayConfig


async def test_the_bench_tokens_verify_against_the_served_jwks(tmp_path: Path) -> None:
    with bench_issuer(tmp_path, connections=5) as auth:
        settings = yaml.safe_load(auth.config_path.read_text())
        verifier = AuthConfig.model_validate(settings["auth"]).verifier()
        assert verifier is not None
        assert len(set(auth.tokens)) == 5
        for token in auth.tokens:
            claims = await verifier.verify(token)
            assert claims["scope"]


def test_wrk_sends_the_next_token_on_every_request(tmp_path: Path) -> None:
    script = write_script(b'{"query": "{ x }"}', tmp_path, ("t1", "t2")).read_text()
    assert 'local tokens = {"t1", "t2"}' in script
    assert 'wrk.headers["Authorization"] = "Bearer " .. tokens[next_token]' in script
    assert "function request()" not in write_script(b"{}", tmp_path).read_text()


def test_the_jwt_dedup_off_variant_trusts_the_issuer_with_dedup_off(tmp_path: Path) -> None:
    with bench_issuer(tmp_path, connections=1, more_config=DEDUP_OFF_CONFIG) as auth:
        config = GatewayConfig.model_validate(yaml.safe_load(auth.config_path.read_text()))
    assert config.subgraphs.deduplicate_queries is False
    assert [issuer.issuer for issuer in config.auth.issuers] == ["https://bench.issuer.invalid"]
