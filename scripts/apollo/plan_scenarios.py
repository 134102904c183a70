"""Write Apollo's query plan for conformance cases, as `cases/<case>/apollo.plan`.

usage (from the repository root, after compose_scenarios.py):
    .venv/bin/python scripts/apollo/plan_scenarios.py [--ours] SCENARIO [SCENARIO ...]

Apollo's plan (`node plan.mjs`, @apollo/query-planner 2.14) is kept beside our golden
`plan.txt` for review: where they differ, docs/deviations.md says why. `--ours` (re)writes
`plan.txt` from our planner, to be reviewed before it is committed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.conformance.harness import Scenario  # noqa: E402
from tests.conformance.test_scenario_plans import plan_of  # noqa: E402

PLAN = Path(__file__).resolve().parent / "plan.mjs"


def main(arguments: list[str]) -> int:
    ours = "--ours" in arguments
    names = [argument for argument in arguments if argument != "--ours"]
    failed = 0
    for name in names:
        scenario = Scenario.load(name)
        for case in scenario.cases():
            command = ["node", str(PLAN), str(scenario.directory / "supergraph.graphql")]
            command.append(str(case.directory / "operation.graphql"))
            if case.operation_name:
                command.append(case.operation_name)
            result = subprocess.run(
                command, cwd=PLAN.parent, capture_output=True, text=True, check=False
            )
            if result.returncode != 0:
                print(f"{case.id}: Apollo could not plan it\n{result.stderr}", file=sys.stderr)
                failed += 1
                continue
            (case.directory / "apollo.plan").write_text(result.stdout)
            print(f"{case.id}: planned")
            if ours:
                try:
                    text = plan_of(case) + "\n"
                except Exception as error:  # shown for review, not raised
                    print(f"{case.id}: ours failed: {error!r}", file=sys.stderr)
                    continue
                (case.directory / "plan.txt").write_text(text)
                if text != result.stdout:
                    print(f"{case.id}: ours differs from Apollo's", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
