from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import ConfigError
from gateway.operation import OperationLimits
from gateway.server import GatewayConfig
from gateway.server.runner import CONFIG_VARIABLE, SUPERGRAPH_VARIABLE, app_from_environment

FEDERATED_SUPERGRAPH = Path(__file__).parent / "federated" / "supergraph.graphql"


def load(tmp_path: Path, text: str, environment: dict[str, str] | None = None) -> GatewayConfig:
    path = tmp_path / "switchboard.yaml"
    path.write_text(text)
    return GatewayConfig.load(path, environment or {})


def problems(tmp_path: Path, text: str, environment: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, text, environment)
    return [problem.split(": ", 1)[1] for problem in raised.value.problems]


def test_settings_are_read_from_yaml(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        "limits: {max_depth: 7, max_root_fields: 3}\n"
        "subgraphs: {timeout_ms: 2500, timeouts_ms: {metrics: 500}}\n"
        "caches: {plans: 10}\n"
        "graphiql: false\n",
    )

    assert config.operation_limits == OperationLimits(max_depth=7, max_root_fields=3)
    assert config.subgraph_timeout_seconds == 2.5
    assert dict(config.subgraph_timeouts_seconds) == {"metrics": 0.5}
    assert config.caches.plans == 10
    assert config.graphiql is False


def test_no_file_and_empty_sections_mean_defaults(tmp_path: Path) -> None:
    assert GatewayConfig.load(None) == GatewayConfig()
    assert load(tmp_path, "") == GatewayConfig()
    assert load(tmp_path, "limits:\nheaders:\n") == GatewayConfig()


def test_an_unknown_key_is_an_error_naming_the_closest_valid_key(tmp_path: Path) -> None:
    assert problems(tmp_path, "limits: {max_dept: 3}") == [
        "`limits.max_dept`: unknown key; did you mean `max_depth`?"
    ]
    assert problems(tmp_path, "graphiqll: true") == [
        "`graphiqll`: unknown key; did you mean `graphiql`?"
    ]
    (far_off,) = problems(tmp_path, "zzz_unrelated: {}")
    assert far_off.startswith("`zzz_unrelated`: unknown key; valid keys here: limits, ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("limits: {max_depth: deep}", "`limits.max_depth`: Input should be a valid integer"),
        ("subgraphs: {timeout_ms: -1}", "`subgraphs.timeout_ms`: Input should be greater than 0"),
        ("limits: 3", "`limits`: expected a mapping, got 3"),
        ("headers: {propagate: x-one}", "`headers.propagate`: Input should be a valid tuple"),
        ("override_labels: [beta]", "`override_labels`: expected a mapping"),
        ("override_labels: {enabled: beta}", "`override_labels.enabled`: Input should be"),
        ("override_labels: {enabled: [1]}", "`override_labels.enabled.0`: Input should be"),
        ("subgraphs: {timeouts_ms: {apps: soon}}", "`subgraphs.timeouts_ms.apps`: Input"),
    ],
)
def test_a_wrong_type_is_an_error_naming_the_key_path(
    tmp_path: Path, text: str, expected: str
) -> None:
    (problem,) = problems(tmp_path, text)
    assert problem.startswith(expected), problem


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    assert len(problems(tmp_path, "limits: {max_depth: x, max_aliases: y}\ngraphiq: 1")) == 3


def test_a_file_that_is_not_a_mapping_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "switchboard.yaml"
    path.write_text("- a list")
    with pytest.raises(ConfigError, match="expected a mapping of settings at the top level"):
        GatewayConfig.load(path)
    with pytest.raises(ConfigError, match="cannot read"):
        GatewayConfig.load(tmp_path / "missing.yaml")
    path.write_text("limits: {")
    with pytest.raises(ConfigError, match="not valid YAML"):
        GatewayConfig.load(path)


def test_environment_references_are_expanded(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        "override_subgraph_url:\n"
        "  apps: 'http://${env.APPS_HOST}:4101/graphql'\n"
        "  metrics: '${env.METRICS_URL:-http://localhost:4104/graphql}'\n"
        "limits: {max_depth: '${env.MAX_DEPTH}'}\n",
        {"APPS_HOST": "apps.internal", "MAX_DEPTH": "9"},
    )

    assert config.override_subgraph_url == {
        "apps": "http://apps.internal:4101/graphql",
        "metrics": "http://localhost:4104/graphql",
    }
    assert config.limits.max_depth == 9


def test_a_missing_environment_variable_without_default_is_an_error(tmp_path: Path) -> None:
    assert problems(tmp_path, "override_subgraph_url: {apps: '${env.NOT_SET_ANYWHERE}'}") == [
        "`override_subgraph_url.apps`: environment variable NOT_SET_ANYWHERE is not set "
        "(write ${env.NOT_SET_ANYWHERE:-default} to give a default)"
    ]


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
    config = load(
        tmp_path,
        "override_subgraph_url: {apps: 'http://apps:4101/graphql'}\n"
        "headers: {propagate: [X-Tenant, x-request-id]}\n",
    )

    assert dict(config.override_subgraph_url) == {"apps": "http://apps:4101/graphql"}
    assert config.propagated_headers == ("x-tenant", "x-request-id")


def test_custom_override_labels_are_enabled_from_yaml(tmp_path: Path) -> None:
    config = load(tmp_path, "override_labels: {enabled: [beta-badges, early-access]}\n")

    assert config.enabled_override_labels == {"beta-badges", "early-access"}
    assert GatewayConfig().enabled_override_labels == frozenset()
