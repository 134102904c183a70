"""Mutation testing, one package at a time: `python scripts/mutate.py gateway/execution ...`.

Each package runs mutmut in its own scratch copy of the repository (`.mutmut/<package>/`, ignored
by git; `.mutmut/<package>-<modules>/` for a run of some of its modules, given with `--only`),
against the fastest tests that exercise it (`TESTS`), so packages can run side by side and a run
of one never invalidates another's cached results. A run prints the score and the surviving
mutants; `mutmut show NAME` inside the scratch folder prints a survivor's diff. After writing
tests for survivors, `--survivors` runs only the previous run's survivors again, against the
tests as they are now (minutes, instead of the whole package again); with `--only`, the
survivors of the run of those modules.
Surviving mutants judged equivalent, with why, are listed in docs/testing.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / ".mutmut"

# The tests that exercise each package and run in seconds (no process-starting e2e tests:
# those import the unmutated package in their child processes and cannot kill a mutant).
TESTS: dict[str, list[str]] = {
    "gateway/execution": [
        "tests/execution",
        "tests/conformance",
        # Through the server's configuration, in process: redaction, per-subgraph timeouts,
        # in-flight deduplication by principal, introspection.
        "tests/server/test_subgraph_errors.py",
        "tests/server/test_subgraph_timeouts.py",
        "tests/server/test_deduplication.py",
        "tests/server/test_introspection.py",
        # Subscription events through `execute_event`, and the spans of execution's stages
        # (in process).
        "tests/subscriptions/test_run.py",
        "tests/telemetry/test_spans.py",
    ],
    "gateway/operation": ["tests/operation", "tests/server/test_http.py"],
    "gateway/auth": ["tests/auth"],
    "subgraphs/common": ["tests/subgraphs/common", "tests/subgraphs/test_event_flow.py"],
}

# A mutant that hangs a test costs the test's timeout (the suite's 120 s, sized for a loaded CI
# run) unless mutmut's own, 15x the clean time of every test reaching the function, ends it
# first. Most mutants of a bus subscription hang one (an event never arrives, a cancelled read
# goes on), so the common package's tests, none over 12 s clean, get a shorter one.
TEST_TIMEOUT: dict[str, int] = {"subgraphs/common": 60}


def scratch(package: str, modules: list[str]) -> Path:
    """The scratch folder of a run: one per package and set of modules, so a run of some of a
    package's modules keeps the results of a run of others."""
    name = package.replace("/", ".")
    if modules:
        name += "-" + "-".join(sorted(module.removesuffix(".py") for module in modules))
    return SCRATCH / name


def prepare(package: str, modules: list[str]) -> Path:
    """A fresh copy of the tracked files, with mutmut configured for `package` (only its
    `modules`, file names inside it, when given)."""
    folder = scratch(package, modules)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        source = ROOT / name.decode()
        if source.is_file():
            target = folder / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    pyproject = (folder / "pyproject.toml").read_text()
    mutated = ", ".join(json.dumps(f"{package}/{module}") for module in modules or ["*"])
    (folder / "pyproject.toml").write_text(
        pyproject
        + "\n[tool.mutmut]\n"
        + 'source_paths = ["gateway", "subgraphs"]\n'
        + f"only_mutate = [{mutated}]\n"
        # What the tests read besides tests/ (the platform supergraph, the Apollo fixtures).
        + 'also_copy = ["schema", "scripts"]\n'
        + selection(package)
        # mutmut's own timeout (15x a test's clean time) ends an infinite-loop mutant; the
        # suite's per-test timeout stays as a backstop for tests slowed by mutmut's trampolines.
        # mutmut runs its own processes: pytest-xdist's workers (addopts) are turned off.
        + f"pytest_add_cli_args = {json.dumps(pytest_arguments(package))}\n"
    )
    return folder


def pytest_arguments(package: str) -> list[str]:
    arguments = ["-p", "no:cacheprovider", "-q", "-n", "0"]
    if package in TEST_TIMEOUT:
        arguments += ["--timeout", str(TEST_TIMEOUT[package])]
    return arguments


def selection(package: str) -> str:
    """mutmut's setting for the tests that run against `package`'s mutants."""
    tests = ", ".join(json.dumps(path) for path in TESTS[package])
    return f"pytest_add_cli_args_test_selection = [{tests}]\n"


def run(
    package: str,
    max_children: int,
    *,
    survivors_only: bool = False,
    modules: list[str] | None = None,
) -> dict[str, object]:
    if package not in TESTS:
        raise SystemExit(f"no test selection for {package}: add it to TESTS in {__file__}")
    if not (ROOT / package).is_dir():
        raise SystemExit(f"{package} does not exist")
    if survivors_only:
        folder = scratch(package, modules or [])
        summary = folder / "summary.json"
        if not summary.exists():
            raise SystemExit(f"{package} has no previous run to take survivors from")
        names = [
            line.split(":", 1)[0]
            for line in json.loads(summary.read_text())["survivors"]
            # and those no selected test reached: the selection may have grown since
            if line.endswith((": survived", ": no tests"))
        ]
        # mutmut runs the tests inside mutants/: both copies get the tests as they are now.
        for copy in (folder, folder / "mutants"):
            shutil.rmtree(copy / "tests")
            shutil.copytree(ROOT / "tests", copy / "tests", ignore=shutil.ignore_patterns("*.pyc"))
        # The selection as it is now (`TESTS` may have grown since the run).
        config = folder / "pyproject.toml"
        lines = config.read_text().splitlines(keepends=True)
        config.write_text(
            "".join(
                selection(package)
                if line.startswith("pytest_add_cli_args_test_selection")
                else line
                for line in lines
            )
        )
        # Which tests reach which function is recorded once per run: collected again, so the
        # new tests are run against the mutants they reach.
        (folder / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    else:
        folder = prepare(package, modules or [])
        names = []
    mutmut = Path(sys.executable).with_name("mutmut")
    log = folder / "mutmut.log"
    with log.open("a" if survivors_only else "w") as output:
        subprocess.run(
            [str(mutmut), "run", "--max-children", str(max_children), *names],
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    subprocess.run([str(mutmut), "export-cicd-stats"], cwd=folder, check=True, capture_output=True)
    stats = json.loads((folder / "mutants" / "mutmut-cicd-stats.json").read_text())
    survivors = subprocess.run(
        [str(mutmut), "results"], cwd=folder, check=True, capture_output=True, text=True
    ).stdout.split("\n")
    stats["package"] = package
    stats["survivors"] = [line.strip() for line in survivors if line.strip()]
    tested = int(stats["total"]) - int(stats.get("skipped", 0))
    caught = int(stats["killed"]) + int(stats.get("timeout", 0))
    stats["score"] = round(100 * caught / tested, 1) if tested else 0.0
    (folder / "summary.json").write_text(json.dumps(stats, indent=2))
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("packages", nargs="*", default=list(TESTS))
    parser.add_argument("--max-children", type=int, default=1)
    parser.add_argument(
        "--survivors", action="store_true", help="run only the last run's survivors again"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        default=[],
        metavar="MODULE",
        help="mutate only these modules of the package (file names, e.g. verify.py)",
    )
    arguments = parser.parse_args()
    with (ROOT / "pyproject.toml").open("rb") as config:
        tomllib.load(config)  # fail early on a broken pyproject, before copying anything
    for package in arguments.packages:
        if package == "gateway/auth" and not (ROOT / package).is_dir():
            print(f"{package}: not present, skipped")
            continue
        stats = run(
            package,
            arguments.max_children,
            survivors_only=arguments.survivors,
            modules=arguments.only,
        )
        print(
            f"{package}: {stats['score']}% ({stats['killed']} killed, "
            f"{stats.get('timeout', 0)} timed out, {stats['survived']} survived, "
            f"{stats.get('no_tests', 0)} without tests, of {stats['total']})"
        )
        for line in stats["survivors"]:  # type: ignore[attr-defined]
            print(f"    {line}")


if __name__ == "__main__":
    main()
