"""Start, probe and stop the processes of a benchmark run (subgraphs, gateways, generators).

Every process gets its own session, so stopping it also stops whatever it spawned (uvicorn
workers, npm's node), and its output goes to a log file in the run's work folder, shown when it
fails to come up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx


class ProcessFailed(Exception):
    """A process exited or never became ready; the message carries the end of its log."""


def free_port() -> int:
    """A localhost port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ManagedProcess:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @classmethod
    def start(
        cls,
        name: str,
        command: Sequence[str],
        log_directory: Path,
        *,
        cwd: Path | None = None,
        environment: dict[str, str] | None = None,
    ) -> ManagedProcess:
        log_path = log_directory / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                list(command),
                cwd=cwd,
                env={**os.environ, **(environment or {})},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return cls(name=name, process=process, log_path=log_path)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, probe: Callable[[], bool], timeout: float) -> None:
        """Call `probe` until it says yes; fail early when the process exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise ProcessFailed(
                    f"{self.name} exited with status {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                if probe():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise ProcessFailed(f"{self.name} was not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> None:
        if not self.alive():
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait(timeout=timeout)

    def _signal_group(self, signal_number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal_number)


def answers_post(
    url: str,
    body: bytes,
    timeout: float = 5.0,
    *,
    any_status: bool = False,
    headers: dict[str, str] | None = None,
) -> Callable[[], bool]:
    """A readiness probe: POSTing `body` to `url` gets a 200 with JSON `data` (or, with
    `any_status`, any HTTP answer at all: whether it is right is for validation to say)."""

    def probe() -> bool:
        response = httpx.post(
            url,
            content=body,
            headers={"content-type": "application/json", **(headers or {})},
            timeout=timeout,
        )
        return any_status or (response.status_code == 200 and b'"data"' in response.content)

    return probe
