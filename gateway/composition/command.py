"""`switchboard compose`: YAML in, supergraph file out, coded errors on stderr."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from gateway.collector import collector_paused
from gateway.composition.compose import compose
from gateway.composition.config import CompositionConfigError, load_subgraphs
from gateway.composition.errors import CompositionFailure


def compose_command(
    config_path: str | Path, out_path: str | Path, stderr: TextIO | None = None
) -> int:
    errors_to = stderr or sys.stderr
    try:
        definitions = load_subgraphs(Path(config_path))
    except CompositionConfigError as error:
        print(f"error: {error}", file=errors_to)
        return 1
    with collector_paused():
        result = compose(definitions)
    for hint in result.hints:
        print(f"hint {hint.code}: {hint.message}", file=errors_to)
    if isinstance(result, CompositionFailure):
        for failure in result.errors:
            print(f"{failure.code}: {failure.message}", file=errors_to)
        return 1
    Path(out_path).write_text(result.supergraph_sdl)
    return 0
