"""The whole harness, end to end, with a stand-in gateway: the monolith serving the expected
answers. This proves subgraphs, load generators, measurement and reporting work without the
engine; `test_smoke.py` runs the same with the real `switchboard serve`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import orjson
import pytest

from bench import gateways, runner
from bench.load import wrk
from bench.runner import Settings

pytestmark = pytest.mark.e2e


def _monolith_gateway(port: int) -> gateways.Gateway:
    return gateways.Gateway(
        name="switchboard",
        command=[sys.executable, "-m", "bench.subgraphs", "monolith", "--port", str(port)],
        url=f"http://127.0.0.1:{port}/graphql",
        version="monolith stand-in",
    )


def _broken_gateway(port: int) -> gateways.Gateway:
    return gateways.Gateway(
        name="switchboard",
        command=[sys.executable, "-c", "raise SystemExit('no engine here')"],
        url=f"http://127.0.0.1:{port}/graphql",
    )


def _only_result(results_directory: Path) -> dict[str, object]:
    (path,) = results_directory.glob("*-smoke.json")
    document: dict[str, object] = orjson.loads(path.read_bytes())
    return document


@pytest.mark.parametrize(
    "load_generator",
    [
        "python",
        pytest.param(
            "wrk",
            # `make test` installs wrk; only a bare `pytest` outside CI may lack it.
            marks=pytest.mark.skipif(
                wrk.wrk_path() is None and not os.environ.get("CI"), reason=wrk.INSTALL_HINT
            ),
        ),
    ],
)
def test_a_correct_gateway_is_measured_and_reported(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    load_generator: str,
) -> None:
    monkeypatch.setattr(
        gateways, "switchboard", lambda _supergraph, port, _workers: _monolith_gateway(port)
    )
    settings = Settings.for_smoke(results_directory=tmp_path, load_generator=load_generator)

    assert runner.run(settings) == 0

    document = _only_result(tmp_path)
    (run,) = document["runs"]  # type: ignore[misc]
    assert run["succeeded"] is True
    assert run["load"]["requests"] > 0
    assert run["load"]["errors"] == 0
    assert run["wrong_answers"] == 0
    assert run["peak_rss_mib"] > 1
    assert set(run["cpu_percent_of_one_core"]) == {
        "gateway", "accounts", "products", "inventory", "reviews",
        "load generator", "other processes",
    }  # fmt: skip
    printed = capsys.readouterr().out
    assert "req/s" in printed
    assert f"load generator: {'wrk' if load_generator == 'wrk' else 'built-in'}" in printed


def test_a_gateway_that_does_not_start_fails_the_run_with_its_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        gateways, "switchboard", lambda _supergraph, port, _workers: _broken_gateway(port)
    )

    assert runner.run(Settings.for_smoke(results_directory=tmp_path)) == 1

    (run,) = _only_result(tmp_path)["runs"]  # type: ignore[misc]
    assert run["status"] == "failed"
    assert "no engine here" in run["failure"]
    assert "no engine here" in capsys.readouterr().out
