"""The checked-in supergraph matches the subgraphs, and its routing URLs can be rewritten."""

from __future__ import annotations

import pytest

from bench.compose import DIGEST_PREFIX, SUPERGRAPH_PATH, subgraph_digest
from bench.gateways import rewrite_routing_urls


def test_the_supergraph_was_composed_from_the_current_subgraph_sdl() -> None:
    first_line = SUPERGRAPH_PATH.read_text().splitlines()[0]
    assert first_line == DIGEST_PREFIX + subgraph_digest(), (
        "subgraph SDL changed: run `.venv/bin/python -m bench.compose`"
    )


def test_routing_urls_point_at_the_run_s_subgraphs() -> None:
    urls = {
        name: f"http://127.0.0.1:{port}/graphql"
        for name, port in (("accounts", 1), ("products", 2), ("inventory", 3), ("reviews", 4))
    }
    rewritten = rewrite_routing_urls(SUPERGRAPH_PATH.read_text(), urls)
    for name, url in urls.items():
        assert f'@join__graph(name: "{name}", url: "{url}")' in rewritten
    assert "4201" not in rewritten


def test_rewriting_names_a_subgraph_the_supergraph_lacks() -> None:
    with pytest.raises(ValueError, match="billing"):
        rewrite_routing_urls(SUPERGRAPH_PATH.read_text(), {"billing": "http://x/graphql"})
