from __future__ import annotations

import argparse
import io
import socket
from pathlib import Path

import pytest

from gateway.cli import build_parser, main
from gateway.dev import platform_subgraphs, reset_demo_data, subgraph_port
from subgraphs.common import migrations

REPOSITORY = Path(__file__).resolve().parent.parent
SUPERGRAPH = str(REPOSITORY / "schema" / "supergraph.graphql")
OPERATION = "query Names { listings(first: 2) { nodes { tagline } } }"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0
    assert capsys.readouterr().out == "switchboard 0.1.0\n"


def subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found.extend(subparsers(child))
    return found


def test_every_flag_has_help_and_defaults_are_shown(capsys: pytest.CaptureFixture[str]) -> None:
    for parser in subparsers(build_parser()):
        for action in parser._actions:
            if not isinstance(action, argparse._SubParsersAction | argparse._HelpAction):
                assert action.help, f"{parser.prog} {action.dest} has no help"
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "port to listen on (default: 4000)" in shown
    assert "gateway processes on the port (default: 1)" in shown


def test_plan_reads_a_file_a_string_or_standard_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "names.graphql"
    path.write_text(OPERATION)
    assert main(["plan", "--supergraph", SUPERGRAPH, str(path)]) == 0
    from_file = capsys.readouterr().out
    assert from_file.startswith("QueryPlan {")

    assert main(["plan", "--supergraph", SUPERGRAPH, OPERATION]) == 0
    assert capsys.readouterr().out == from_file

    monkeypatch.setattr("sys.stdin", io.StringIO(OPERATION))
    assert main(["plan", "--supergraph", SUPERGRAPH, "-"]) == 0
    assert capsys.readouterr().out == from_file


def test_plan_reports_parse_errors_with_line_and_column(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        main(["plan", "--supergraph", SUPERGRAPH, "{\n  listings(first: ) { totalCount }\n}"]) == 1
    )
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("switchboard plan: <argument>:2:19: GRAPHQL_PARSE_FAILED: Syntax Error")


def test_plan_names_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--supergraph", SUPERGRAPH, "no-such.graphql"]) == 1
    assert capsys.readouterr().err == (
        "switchboard plan: No such file or directory: no-such.graphql\n"
    )


def test_serve_on_a_port_in_use_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--supergraph", SUPERGRAPH, "--port", str(port)])
    assert code == 1
    assert capsys.readouterr().err == (
        f"switchboard serve: port {port} on 127.0.0.1 is already in use "
        "(choose another with --port)\n"
    )


def test_dev_puts_the_subgraphs_beside_the_gateways_port() -> None:
    ports = {subgraph.name: subgraph_port(subgraph, 5000) for subgraph in platform_subgraphs()}
    assert ports == {"apps": 5101, "installs": 5102, "marketplace": 5103, "metrics": 5104}


def test_dev_reset_deletes_only_the_demo_databases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path))
    for name in ("apps.db", "apps.db-wal", "metrics.db", "keep.txt"):
        (tmp_path / name).write_text("x")

    assert reset_demo_data(platform_subgraphs()) is None
    assert sorted(path.name for path in tmp_path.iterdir()) == ["keep.txt"]


def test_migrating_an_unknown_subgraph_is_a_clear_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit:
        migrations.main(["upgrade", "UNKNOWN"])
    assert exit.value.code == 2
    (*_usage, message) = capsys.readouterr().err.splitlines()
    assert message.endswith(
        "argument subgraph: invalid choice: 'UNKNOWN' "
        "(choose from 'apps', 'installs', 'marketplace', 'metrics')"
    )
