"""`supergraph.yaml` reading (files and introspection) and the compose command's exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest

from gateway.composition.command import compose_command
from gateway.composition.config import CompositionConfigError, load_subgraphs

FED2 = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'


def write_config(folder: Path, subgraphs: dict[str, str]) -> Path:
    lines = ["federation_version: 2", "subgraphs:"]
    for name, sdl in subgraphs.items():
        (folder / f"{name}.graphql").write_text(sdl)
        lines += [
            f"  {name}:",
            f"    routing_url: http://{name}/graphql",
            "    schema:",
            f"      file: {name}.graphql",
        ]
    path = folder / "supergraph.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_files_are_read_relative_to_the_yaml(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"a": FED2 + "type Query { a: Int }"})
    [definition] = load_subgraphs(config)
    assert (definition.name, definition.url) == ("a", "http://a/graphql")
    assert "type Query" in definition.sdl


def test_subgraph_url_is_introspected_through_service_sdl(tmp_path: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert "_service" in json.loads(request.content)["query"]
        return httpx.Response(
            200, json={"data": {"_service": {"sdl": FED2 + "type Query { remote: Int }"}}}
        )

    config = tmp_path / "supergraph.yaml"
    config.write_text(
        "subgraphs:\n  r:\n    routing_url: http://r/graphql\n    schema:\n      subgraph_url: "
        "http://r/graphql\n"
    )
    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        [definition] = load_subgraphs(config, client)
    assert "remote" in definition.sdl


def test_missing_schema_source_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "supergraph.yaml"
    config.write_text("subgraphs:\n  a:\n    routing_url: http://a\n    schema: {}\n")
    with pytest.raises(CompositionConfigError):
        load_subgraphs(config)


def test_command_writes_the_supergraph(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"a": FED2 + "type Query { a: Int }"})
    out = tmp_path / "out.graphql"
    assert compose_command(config, out, io.StringIO()) == 0
    assert '@join__graph(name: "a", url: "http://a/graphql")' in out.read_text()


def test_command_prints_coded_errors_and_fails(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, {"a": FED2 + "type Query { same: Int }", "b": FED2 + "type Query { same: Int }"}
    )
    out = tmp_path / "out.graphql"
    stderr = io.StringIO()
    assert compose_command(config, out, stderr) == 1
    assert "INVALID_FIELD_SHARING" in stderr.getvalue()
    assert not out.exists()
