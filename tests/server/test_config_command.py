from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from gateway.cli import main
from gateway.server import GatewayConfig

REPOSITORY = Path(__file__).resolve().parents[2]


def test_config_check_accepts_a_valid_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "switchboard.yaml"
    path.write_text("limits: {max_depth: 5}\n")

    assert main(["config", "check", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: valid\n"


def test_config_check_prints_one_line_per_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "switchboard.yaml"
    path.write_text("limits: {max_dept: 5}\ngraphiql: maybe\n")

    assert main(["config", "check", str(path)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"switchboard config check: {path}: `limits.max_dept`: unknown key; "
        "did you mean `max_depth`?",
        f"switchboard config check: {path}: `graphiql`: Input should be a valid boolean, "
        "unable to interpret input, got 'maybe'",
    ]


def test_config_schema_is_json_schema_of_every_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)

    assert schema["title"] == "switchboard.yaml"
    assert schema["additionalProperties"] is False
    assert {"limits", "subgraphs", "headers", "graphiql"} <= set(schema["properties"])
    assert schema["$defs"]["LimitsConfig"]["properties"]["max_depth"]["description"]


def test_the_configuration_reference_in_docs_is_generated_from_the_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["config", "reference"]) == 0
    generated = capsys.readouterr().out
    written = (REPOSITORY / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert written == generated, "run: switchboard config reference > docs/configuration.md"
    for section in ("limits", "headers", "cors", "telemetry.tracing", "telemetry.logging"):
        assert f"`{section}`" in generated


def test_the_example_configuration_is_valid_and_shows_every_section(
    capsys: pytest.CaptureFixture[str],
) -> None:
    example = REPOSITORY / "switchboard.example.yaml"
    assert main(["config", "check", str(example)]) == 0
    settings = yaml.safe_load(example.read_text(encoding="utf-8"))
    assert set(settings) == set(GatewayConfig.model_fields)
