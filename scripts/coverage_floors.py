"""Branch coverage per package, checked against floors that only go up.

`make test` runs pytest with coverage (`--cov`, configured in pyproject.toml) and then this
script, which reads the `.coverage` data and compares each package's coverage (statements and
branches together, as coverage.py reports it) with its floor in `tests/coverage_floors.json`:

    python scripts/coverage_floors.py            # fails when a package fell below its floor
    python scripts/coverage_floors.py --raise    # after adding tests: lift the floors

A package measured without a floor (a new one) fails the check too, until `--raise` gives it one.

`--raise` sets each floor half a point under today's figure (some branches depend on timing:
a retry, a race lost), and never lowers a floor. A package is a folder of `gateway/` or
`subgraphs/`; the modules directly in `gateway/` (the CLI, `switchboard dev`) count as the
package `gateway`.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

import coverage
from coverage.exceptions import NoDataError

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ROOT / "tests" / "coverage_floors.json"
TOP_LEVELS = ("gateway", "subgraphs")
MARGIN = 0.5  # percentage points under today's figure that a lifted floor leaves


def package_of(path: Path) -> str | None:
    relative = path.resolve().relative_to(ROOT)
    if relative.parts[0] not in TOP_LEVELS:
        return None
    if len(relative.parts) == 2:
        return relative.parts[0]
    return "/".join(relative.parts[:2])


def measure(data_file: Path) -> dict[str, float]:
    """Each package's coverage in percent (one decimal, rounded down)."""
    measured = coverage.Coverage(data_file=str(data_file), config_file=str(ROOT / "pyproject.toml"))
    measured.load()
    files: dict[str, list[str]] = defaultdict(list)
    for name in measured.get_data().measured_files():
        package = package_of(Path(name))
        if package is not None:
            files[package].append(name)
    figures: dict[str, float] = {}
    for package, names in sorted(files.items()):
        try:
            percent = measured.report(morfs=names, file=io.StringIO())
        except NoDataError:
            continue
        figures[package] = math.floor(percent * 10) / 10
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-file", type=Path, default=ROOT / ".coverage")
    parser.add_argument("--raise", dest="lift", action="store_true", help="lift the floors")
    arguments = parser.parse_args()
    if not arguments.data_file.exists():
        raise SystemExit(f"{arguments.data_file} not found: run pytest with --cov first")
    figures = measure(arguments.data_file)
    floors: dict[str, float] = json.loads(FLOORS.read_text()) if FLOORS.exists() else {}
    below = []
    unfloored = []
    for package, percent in figures.items():
        floor = floors.get(package)
        mark = ""
        if floor is None:
            unfloored.append(package)
            mark = "  no floor yet"
        elif percent < floor:
            below.append(package)
            mark = f"  BELOW its floor {floor}"
        print(f"{package:32} {percent:5.1f}%{mark}")
    unmeasured = sorted(set(floors) - set(figures))
    for package in unmeasured:
        print(f"{package:32}   -    no data, floor {floors[package]}")
    if arguments.lift:
        lifted = {
            package: max(round(percent - MARGIN, 1), floors.get(package, 0.0))
            for package, percent in figures.items()
        }
        lifted.update({package: floors[package] for package in unmeasured})
        FLOORS.write_text(json.dumps(dict(sorted(lifted.items())), indent=2) + "\n")
        print(f"floors written to {FLOORS.relative_to(ROOT)}")
        return
    if below or unmeasured:
        print(
            f"coverage fell below the floor of {', '.join(below + unmeasured)} "
            f"({FLOORS.relative_to(ROOT)}): test what lost its tests, or delete it",
            file=sys.stderr,
        )
    if unfloored:
        print(
            f"no floor for {', '.join(unfloored)} in {FLOORS.relative_to(ROOT)}: "
            "`python scripts/coverage_floors.py --raise` sets one under today's figure",
            file=sys.stderr,
        )
    if below or unmeasured or unfloored:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
