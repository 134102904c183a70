from __future__ import annotations

from pathlib import Path

import pytest

from gateway.operation import OperationLimits
from gateway.server import ConfigError, GatewayConfig
from gateway.server.runner import CONFIG_VARIABLE, SUPERGRAPH_VARIABLE, app_from_environment

FEDERATED_SUPERGRAPH = Path(__file__).parent / "federated" / "supergraph.graphql"


def test_settings_are_read_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "switchboard.yaml"
    path.write_text(
        "limits: {max_depth: 7, max_root_fields: 3}\n"
        "subgraphs: {timeout_ms: 2500, timeouts_ms: {metrics: 500}}\n"
        "graphiql: false\n"
        "auth: {issuer: ignored-here}\n"
    )

    config = GatewayConfig.load(path)

    assert config.limits == OperationLimits(max_depth=7, max_root_fields=3)
    assert config.subgraph_timeout_seconds == 2.5
    assert dict(config.subgraph_timeouts_seconds) == {"metrics": 0.5}
    assert config.graphiql is False


def test_no_file_means_defaults() -> None:
    assert GatewayConfig.load(None) == GatewayConfig()


@pytest.mark.parametrize(
    "text", ["limits: {max_depth: deep}", "subgraphs: {timeout_ms: -1}", "- a list", "limits: 3"]
)
def test_wrong_values_are_reported(tmp_path: Path, text: str) -> None:
    path = tmp_path / "switchboard.yaml"
    path.write_text(text)

    with pytest.raises(ConfigError):
        GatewayConfig.load(path)


def test_the_worker_app_factory_reads_its_paths_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "switchboard.yaml"
    config.write_text("graphiql: false\n")
    monkeypatch.setenv(SUPERGRAPH_VARIABLE, str(FEDERATED_SUPERGRAPH))
    monkeypatch.setenv(CONFIG_VARIABLE, str(config))

    app = app_from_environment()

    assert app.state.pipeline.supergraph.graphs["users"].url == "http://users/graphql"


def test_subgraph_urls_and_propagated_headers_are_read(tmp_path: Path) -> None:
    path = tmp_path / "switchboard.yaml"
    path.write_text(
        "override_subgraph_url: {apps: 'http://apps:4101/graphql'}\n"
        "headers: {propagate: [X-Switchboard-Scopes, x-request-id]}\n"
    )

    config = GatewayConfig.load(path)

    assert dict(config.subgraph_urls) == {"apps": "http://apps:4101/graphql"}
    assert config.propagated_headers == ("x-switchboard-scopes", "x-request-id")


def test_propagated_headers_must_be_names(tmp_path: Path) -> None:
    path = tmp_path / "switchboard.yaml"
    path.write_text("headers: {propagate: x-one}\n")
    with pytest.raises(ConfigError, match=r"headers\.propagate"):
        GatewayConfig.load(path)


def test_custom_override_labels_are_enabled_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "switchboard.yaml"
    path.write_text("override_labels: {enabled: [beta-badges, early-access]}\n")

    config = GatewayConfig.load(path)

    assert config.enabled_override_labels == {"beta-badges", "early-access"}
    assert GatewayConfig().enabled_override_labels == frozenset()


@pytest.mark.parametrize(
    "text",
    [
        "override_labels: [beta]",
        "override_labels: {enabled: beta}",
        "override_labels: {enabled: [1]}",
    ],
)
def test_override_labels_must_be_a_list_of_names(tmp_path: Path, text: str) -> None:
    path = tmp_path / "switchboard.yaml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError, match="override_labels"):
        GatewayConfig.load(path)
