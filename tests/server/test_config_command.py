from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli import main


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
