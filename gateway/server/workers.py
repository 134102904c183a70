"""`switchboard serve --workers N`: N uvicorn processes, each with its own listening socket.

uvicorn's own multi-worker mode shares one listening socket between its workers. When a burst
of connections arrives (a load balancer's pool, a benchmark's clients), the worker that wakes
first accepts everything waiting in the backlog, and the others may get nothing: keep-alive
connections then stay on that one worker for their lifetime. Measured with `python -m bench
--workers 2` (docs/benchmarks.md): from run to run, anywhere between an even split (~1.6x one
worker) and one worker doing everything (1.09x).

Here every worker binds the port itself with `SO_REUSEPORT`, and the kernel spreads new
connections across the workers' sockets by a hash of their addresses. The parent only
supervises: it restarts a worker that dies and, on SIGINT/SIGTERM, asks every worker to shut
down gracefully (uvicorn's SIGTERM handling), killing those that outlive the grace period.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
from collections.abc import Mapping
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

from gateway.server.server import GatewayServer

logger = logging.getLogger("gateway.server")

RESTART_DELAY_SECONDS = 1.0
STOP_MARGIN_SECONDS = 5.0


def reuse_port_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def run_worker(app: str, host: str, port: int, options: Mapping[str, Any]) -> None:
    """One worker process: its own socket on the shared port, one uvicorn server on it."""
    sock = reuse_port_socket(host, port)
    config = uvicorn.Config(app, host=host, port=port, **options)
    GatewayServer(config).run(sockets=[sock])


def serve_workers(app: str, host: str, port: int, count: int, options: Mapping[str, Any]) -> int:
    """Run `count` workers until SIGINT or SIGTERM; 0 once they have all stopped."""
    # Bound (not listening, so it gets no connections) for as long as the workers run: it
    # resolves port 0 to one port for them all, and keeps the port ours between restarts.
    reserved = reuse_port_socket(host, port)
    port = reserved.getsockname()[1]
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start() -> BaseProcess:
        process = context.Process(
            target=run_worker, args=(app, host, port, dict(options)), name="switchboard-worker"
        )
        process.start()
        return process

    def stop(signal_number: int, _: FrameType | None) -> None:
        stopping.set()

    previous = {
        signal_number: signal.signal(signal_number, stop)
        for signal_number in (signal.SIGINT, signal.SIGTERM)
    }
    workers = [start() for _ in range(count)]
    try:
        while not stopping.wait(RESTART_DELAY_SECONDS):
            for index, worker in enumerate(workers):
                if not worker.is_alive() and not stopping.is_set():
                    logger.warning(
                        "worker %s exited with %s; starting another", worker.pid, worker.exitcode
                    )
                    workers[index] = start()
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()  # SIGTERM: uvicorn finishes in-flight requests
        grace = float(options.get("timeout_graceful_shutdown") or 0) + STOP_MARGIN_SECONDS
        for worker in workers:
            worker.join(grace)
            if worker.is_alive():
                worker.kill()
                worker.join()
        reserved.close()
        for signal_number, handler in previous.items():
            signal.signal(signal_number, handler)
    return 0
