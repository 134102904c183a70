"""`switchboard dev` as a newcomer runs it, on a port of its own: the whole platform in one
process, tokens from `switchboard token --port`, the README's analyst query, and SIGTERM."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_processes import SWITCHBOARD, wait_healthy

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
README_QUERY = '{ appBySlug(slug: "build-watch") { name usageSummary { requests } } }'


def free_hundred() -> int:
    """A gateway port P with P and P+101..P+104 free, as `switchboard dev --port P` needs.
    Tried in random order: suites running side by side on one machine (other worktrees) would
    otherwise all pick the same first free block, and one's token command would ask the
    other's issuer."""
    bases = list(range(20_000, 30_000, 500))
    random.shuffle(bases)
    for base in bases:
        ports = [base, *(base + offset for offset in range(101, 105))]
        sockets = []
        try:
            for port in ports:
                probe = socket.socket()
                sockets.append(probe)
                probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for probe in sockets:
                probe.close()
        return base
    raise RuntimeError("no free hundred of ports")


def token(environment: dict[str, str], *arguments: str) -> str:
    minted = subprocess.run(
        [str(SWITCHBOARD), "token", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return minted.stdout.strip()


# Five platforms' imports, three CLI runs and a shutdown, each process measured by coverage:
# over the suite's two minutes on a loaded machine, though each wait has its own bound.
@pytest.mark.timeout(300)
def test_dev_on_another_port_issues_tokens_its_gateway_accepts(tmp_path: Path) -> None:
    port = free_hundred()
    environment = {**os.environ, "SWITCHBOARD_DATA_DIR": str(tmp_path)}
    for variable in ("DATABASE_URL", "SWITCHBOARD_ISSUER", "SWITCHBOARD_IDENTITY_SECRET"):
        environment.pop(variable, None)
    dev = subprocess.Popen(
        [str(SWITCHBOARD), "dev", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(f"{url}/health", dev, seconds=90)
        analyst = token(environment, "--port", str(port), "--user", "ana@example.com")
        answer = httpx.post(
            f"{url}/graphql",
            json={"query": README_QUERY},
            headers={"authorization": f"Bearer {analyst}"},
            timeout=30,
        )
        assert answer.json() == {
            "data": {"appBySlug": {"name": "Build Watch", "usageSummary": {"requests": 166228}}},
            # dev meters: the operation's cost (a person's token has no rate-limit bucket)
            "extensions": {"cost": {"requestedQueryCost": 2, "actualQueryCost": 2}},
        }

        # A token of the default platform (issuer on 4102) means nothing to this one.
        elsewhere = token(environment, "--user", "ana@example.com")
        refused = httpx.post(
            f"{url}/graphql",
            json={"query": README_QUERY},
            headers={"authorization": f"Bearer {elsewhere}"},
            timeout=30,
        )
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    finally:
        dev.send_signal(signal.SIGTERM)
        output, _ = dev.communicate(timeout=30)
    assert dev.returncode == 0, output.decode()
    # The gateway stops before the subgraphs: its last usage batch still reaches metrics.
    assert "records dropped" not in output.decode()
    assert f"GraphiQL: http://127.0.0.1:{port}/graphql" in output.decode()
