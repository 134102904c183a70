"""docker-compose.yml cannot run on this machine; these tests keep it true to the code instead:
every command parses with the real argument parsers, every port and URL matches the code's
defaults, every variable is one the code reads, every file it mounts exists."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from gateway.cli import build_parser
from subgraphs.common.server import Subgraph, argument_parser

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
SUBGRAPH_NAMES = ["apps", "installs", "marketplace", "metrics"]


def subgraph(name: str) -> Subgraph:
    found: Subgraph = importlib.import_module(f"subgraphs.{name}.subgraph").SUBGRAPH
    return found


def read_by_code(variable: str) -> bool:
    pattern = re.compile(rf"""environ(?:\.get)?[\[(]\s*["']{variable}["']""")
    sources = [*ROOT.glob("gateway/**/*.py"), *ROOT.glob("subgraphs/**/*.py")]
    return any(pattern.search(path.read_text()) for path in sources)


def test_topology_has_every_part() -> None:
    assert set(SERVICES) == {
        "postgres",
        "redis",
        "jaeger",
        "otel-collector",
        "gateway",
        "webhooks",
        *SUBGRAPH_NAMES,
    }


@pytest.mark.parametrize("name", SUBGRAPH_NAMES)
def test_subgraph_service_runs_its_module_on_its_port(name: str) -> None:
    service = SERVICES[name]
    command = service["command"]
    assert command[:3] == ["python", "-m", f"subgraphs.{name}"]
    assert importlib.util.find_spec(f"subgraphs.{name}.__main__") is not None
    args = argument_parser(subgraph(name)).parse_args(command[3:])
    assert args.port == subgraph(name).port
    assert args.host == "0.0.0.0"
    assert args.seed
    # On the compose network: the gateway is the one way in from outside the host (the
    # authorization server's pages are published on the host's loopback only).
    assert service["expose"] == [str(args.port)]
    assert service.get("ports", []) in ([], [f"127.0.0.1:{args.port}:{args.port}"])
    assert service["build"] == "."


@pytest.mark.parametrize("name", SUBGRAPH_NAMES)
def test_subgraph_service_environment_is_read_by_the_code(name: str) -> None:
    environment = SERVICES[name]["environment"]
    for variable in environment:
        assert read_by_code(variable), f"{name}: nothing reads {variable}"
    database = urlsplit(environment["DATABASE_URL"])
    assert database.scheme == "postgresql"
    assert database.hostname == "postgres"
    assert database.path == f"/{name}"
    init = (ROOT / "deploy" / "postgres-init.sql").read_text()
    assert f"CREATE DATABASE {name} OWNER {database.username};" in init
    assert database.username == SERVICES["postgres"]["environment"]["POSTGRES_USER"]
    assert database.password == SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert environment["EVENT_BUS"] == "redis"
    assert urlsplit(environment["REDIS_URL"]).hostname == "redis"
    assert SERVICES[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_webhook_sender_runs_its_module_on_the_apps_database_and_the_shared_bus() -> None:
    service = SERVICES["webhooks"]
    command = service["command"]
    assert command[:3] == ["python", "-m", "subgraphs.apps.webhooks"]
    assert importlib.util.find_spec("subgraphs.apps.webhooks.__main__") is not None
    webhooks_main = importlib.import_module("subgraphs.apps.webhooks.__main__")
    webhooks_main.argument_parser().parse_args(command[3:])
    assert service["build"] == "."
    assert "ports" not in service  # it serves nothing; it calls out
    environment = service["environment"]
    for variable in environment:
        assert read_by_code(variable), f"webhooks: nothing reads {variable}"
    assert environment["DATABASE_URL"] == SERVICES["apps"]["environment"]["DATABASE_URL"]
    assert environment["EVENT_BUS"] == "redis"
    assert environment["REDIS_URL"] == SERVICES["apps"]["environment"]["REDIS_URL"]
    assert "WEBHOOK_ALLOWED_HOSTS" not in environment  # no development allow-list in production
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert {"redis", "apps"} <= set(service["depends_on"])


def test_gateway_serves_the_checked_in_supergraph_and_reaches_every_subgraph() -> None:
    service = SERVICES["gateway"]
    args = build_parser().parse_args(service["command"][1:])
    assert service["command"][0] == "switchboard"
    assert args.command == "serve"
    assert (ROOT / args.supergraph).is_file()
    assert service["ports"] == [f"{args.port}:{args.port}"]
    config = yaml.safe_load((ROOT / args.config).read_text())
    overrides = config["override_subgraph_url"]
    assert set(overrides) == set(SUBGRAPH_NAMES)
    supergraph = (ROOT / args.supergraph).read_text()
    for name, url in overrides.items():
        parts = urlsplit(url)
        assert parts.hostname == name
        assert parts.port == subgraph(name).port
        assert f'name: "{name}"' in supergraph
    assert set(service["depends_on"]) >= set(SUBGRAPH_NAMES)


def test_dockerfile_default_command_parses_and_copies_existing_paths() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert command is not None
    arguments = yaml.safe_load(command.group(1))
    assert build_parser().parse_args(arguments[1:]).command == "serve"
    for line in re.findall(r"^COPY (.+)$", dockerfile, re.MULTILINE):
        *sources, _destination = shlex.split(line)
        for source in sources:
            assert (ROOT / source).exists(), source


def test_mounted_files_exist_and_traces_reach_the_ui() -> None:
    for service in SERVICES.values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).is_file(), source
    collector = yaml.safe_load((ROOT / "deploy" / "otel-collector.yaml").read_text())
    exporter = collector["exporters"]["otlp/jaeger"]["endpoint"]
    assert exporter.split(":")[0] == "jaeger"
    assert SERVICES["jaeger"]["ports"] == ["127.0.0.1:16686:16686"]


def test_only_the_gateway_is_published_beyond_the_host() -> None:
    published = {
        name: service["ports"] for name, service in SERVICES.items() if service.get("ports")
    }
    beyond_loopback = {
        name: ports
        for name, ports in published.items()
        if any(not str(port).startswith("127.0.0.1:") for port in ports)
    }

    assert beyond_loopback == {"gateway": ["4000:4000"]}
    assert "postgres" not in published
    assert "redis" not in published


def test_the_gateway_and_subgraphs_send_their_spans_to_the_collector() -> None:
    from gateway.server import GatewayConfig

    command = build_parser().parse_args(SERVICES["gateway"]["command"][1:])
    config = GatewayConfig.load(ROOT / command.config)
    collector = urlsplit(config.telemetry.tracing.otlp_endpoint or "")
    assert collector.hostname == "otel-collector"
    receiver = yaml.safe_load((ROOT / "deploy" / "otel-collector.yaml").read_text())
    endpoint = receiver["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    assert endpoint.endswith(f":{collector.port}")
    for name in SUBGRAPH_NAMES:
        endpoint = SERVICES[name]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"]
        assert urlsplit(endpoint).netloc == collector.netloc
