"""Rover-style `supergraph.yaml`: each subgraph's routing URL and where its SDL comes from.

subgraphs:
  apps:
    routing_url: http://127.0.0.1:4101/graphql
    schema:
      file: subgraphs/apps.graphql        # relative to the YAML's folder
  other:
    routing_url: http://other/graphql
    schema:
      subgraph_url: http://other/graphql  # introspected with `{ _service { sdl } }`
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs; types-PyYAML is not installed

from gateway.composition.errors import SubgraphDefinition


class CompositionConfigError(Exception):
    """The YAML cannot be read, or a subgraph's SDL cannot be fetched."""


@dataclass(frozen=True)
class SubgraphSource:
    name: str
    routing_url: str
    file: Path | None = None
    subgraph_url: str | None = None


def read_config(path: Path) -> list[SubgraphSource]:
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise CompositionConfigError(f"cannot read {path}: {error}") from None
    entries = document.get("subgraphs") if isinstance(document, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise CompositionConfigError(f"{path}: no `subgraphs:` mapping")
    sources = []
    for name, entry in entries.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("schema"), dict):
            raise CompositionConfigError(f"{path}: subgraph {name!r} needs `schema:`")
        schema = entry["schema"]
        routing_url = entry.get("routing_url") or schema.get("subgraph_url")
        if not routing_url:
            raise CompositionConfigError(f"{path}: subgraph {name!r} needs `routing_url`")
        if "file" in schema:
            sources.append(
                SubgraphSource(str(name), str(routing_url), file=path.parent / schema["file"])
            )
        elif "subgraph_url" in schema:
            sources.append(
                SubgraphSource(
                    str(name), str(routing_url), subgraph_url=str(schema["subgraph_url"])
                )
            )
        else:
            raise CompositionConfigError(
                f"{path}: subgraph {name!r}: `schema:` needs `file` or `subgraph_url`"
            )
    return sources


def introspect_sdl(url: str, client: httpx.Client) -> str:
    try:
        response = client.post(url, json={"query": "{ _service { sdl } }"})
        response.raise_for_status()
        sdl = response.json()["data"]["_service"]["sdl"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        raise CompositionConfigError(f"cannot introspect {url}: {error}") from None
    if not isinstance(sdl, str):
        raise CompositionConfigError(f"cannot introspect {url}: no SDL in the answer")
    return sdl


def load_subgraphs(path: Path, client: httpx.Client | None = None) -> list[SubgraphDefinition]:
    """Reads the YAML and every subgraph's SDL (files, or introspection over HTTP)."""
    sources = read_config(path)
    owned = client is None
    http = client or httpx.Client(timeout=10.0)
    try:
        definitions = []
        for source in sources:
            if source.file is not None:
                try:
                    sdl = source.file.read_text()
                except OSError as error:
                    raise CompositionConfigError(f"subgraph {source.name!r}: {error}") from None
            else:
                assert source.subgraph_url is not None
                sdl = introspect_sdl(source.subgraph_url, http)
            definitions.append(SubgraphDefinition(source.name, source.routing_url, sdl))
        return definitions
    finally:
        if owned:
            http.close()
