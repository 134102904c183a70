"""Pick the load generator and run it: wrk when it is on PATH, else the built-in one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.load import python_load, wrk
from bench.load.result import LoadResult


@dataclass(frozen=True)
class LoadGenerator:
    name: str  # "wrk" or "python-asyncio"
    description: str
    work_directory: Path

    def run(
        self,
        url: str,
        body: bytes,
        *,
        connections: int,
        duration: float,
        tokens: tuple[str, ...] = (),
    ) -> LoadResult:
        """`tokens`: Bearer tokens to send (`--auth`), spread over connections or requests."""
        if self.name == "wrk":
            return wrk.run_wrk(
                url,
                body,
                connections=connections,
                duration=duration,
                work_directory=self.work_directory,
                tokens=tokens,
            )
        body_path = self.work_directory / "body.json"
        body_path.write_bytes(body)
        tokens_path = None
        if tokens:
            tokens_path = self.work_directory / "tokens.txt"
            tokens_path.write_text("\n".join(tokens), encoding="utf-8")
        output, cpu_seconds = wrk.run_measuring_cpu(
            python_load.command(url, body_path, connections, duration, tokens_path)
        )
        return python_load.parse_output(output, cpu_seconds)


def choose(preference: str, work_directory: Path) -> LoadGenerator:
    """`preference` is "auto", "wrk" or "python"; "wrk" without wrk installed is an error."""
    if preference in ("auto", "wrk") and wrk.wrk_path() is not None:
        return LoadGenerator("wrk", wrk.wrk_version(), work_directory)
    if preference == "wrk":
        raise SystemExit(f"wrk is not on PATH; install it with: {wrk.INSTALL_HINT}")
    return LoadGenerator(
        "python-asyncio",
        f"built-in asyncio generator (wrk not used; install it with: {wrk.INSTALL_HINT})",
        work_directory,
    )
