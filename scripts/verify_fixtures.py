"""Record the Apollo fixtures again with the pinned Apollo packages, and fail on any difference.

    make verify-fixtures                              # or: python scripts/verify_fixtures.py
    python scripts/verify_fixtures.py --write         # accept Apollo's answers, rewrite manifest

Installs `scripts/apollo/` from its lockfile (`npm ci`, into the ignored node_modules/) when it
is missing, then asks Apollo, in one node process (`scripts/apollo/record.mjs`), for every
composed supergraph and every query plan listed in `tests/provenance.py`, and compares each
answer with the checked-in file, character for character. It also checks the manifest
(`tests/fixtures/apollo-manifest.json`): the versions it names are the pinned ones, and every
recording's inputs and contents hash as recorded.

Not asked again here: Apollo Gateway's conformance responses (`scripts/apollo/record_expected.py`
serves every scenario's subgraphs and a gateway: minutes, not seconds) and the Federation 1
supergraphs (`tests/fixtures/supergraphs/fed1/compose.py`, another composer); the manifest
still pins their hashes.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.provenance import (  # noqa: E402
    APOLLO,
    MANIFEST,
    Recording,
    all_recordings,
    apollo_versions,
    manifest_entries,
)


def install_apollo() -> None:
    installed = APOLLO / "node_modules" / ".package-lock.json"
    lockfile = APOLLO / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lockfile.stat().st_mtime:
        return
    subprocess.run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=APOLLO,
        check=True,
    )


def ask_apollo(recordings: list[Recording]) -> list[dict[str, object]]:
    jobs = [recording.job for recording in recordings]
    with tempfile.NamedTemporaryFile("w", suffix=".json") as scratch:
        json.dump(jobs, scratch)
        scratch.flush()
        answered = subprocess.run(
            ["node", "record.mjs", scratch.name],
            cwd=APOLLO,
            capture_output=True,
            text=True,
            check=True,
        )
    answers: list[dict[str, object]] = json.loads(answered.stdout)
    return answers


def expected_text(recording: Recording, answer: dict[str, object]) -> str | None:
    text = answer.get("text")
    if not isinstance(text, str):
        return None
    if recording.output.suffix == ".plan":
        text = text.rstrip("\n")  # record.mjs, like plan.mjs, ends a plan with a newline
    return text + recording.appended


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="write Apollo's answers and manifest")
    arguments = parser.parse_args()
    started = time.monotonic()
    install_apollo()
    recordings = all_recordings()
    asked = [recording for recording in recordings if recording.job is not None]
    answers = ask_apollo(asked)
    problems: list[str] = []
    for recording, answer in zip(asked, answers, strict=True):
        text = expected_text(recording, answer)
        if text is None:
            problems.append(f"{recording.name}: Apollo failed: {answer.get('errors')}")
            continue
        checked_in = recording.output.read_text()
        if checked_in == text:
            continue
        if arguments.write:
            recording.output.write_text(text)
            print(f"{recording.name}: written")
            continue
        diff = difflib.unified_diff(
            checked_in.splitlines(), text.splitlines(), "checked in", "Apollo", lineterm="", n=2
        )
        problems.append(f"{recording.name} differs from Apollo's:\n" + "\n".join(list(diff)[:40]))
    manifest = manifest_entries(recordings)
    if arguments.write:
        MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
    elif not MANIFEST.exists():
        problems.append(f"{MANIFEST.relative_to(ROOT)} is missing (--write makes it)")
    else:
        stored = json.loads(MANIFEST.read_text())
        if stored["apollo"] != apollo_versions():
            problems.append(f"the manifest names {stored['apollo']}, the pinned packages differ")
        for name, entry in manifest["files"].items():
            if stored["files"].get(name) != entry:
                problems.append(f"{name}: its manifest entry is stale (record it again)")
        for name in sorted(set(stored["files"]) - set(manifest["files"])):
            problems.append(f"{name}: in the manifest, but no longer a recording")
    seconds = time.monotonic() - started
    for problem in problems:
        print(problem, file=sys.stderr)
    print(
        f"verify-fixtures: {len(asked)} recordings asked of Apollo "
        f"({', '.join(f'{k} {v}' for k, v in apollo_versions().items() if k.startswith('@'))}), "
        f"{len(recordings)} in the manifest, {len(problems)} problems, {seconds:.1f} s"
    )
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
