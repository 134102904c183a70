"""`GatewayServer`: uvicorn's server, ending open subscription streams before it stops.

On SIGTERM uvicorn closes websockets at once (code 1012) and waits for HTTP responses, streamed
ones included, until the grace period ends. Subscribers deserve better: this server first ends
every open stream of the process with `SHUTTING_DOWN` (a last result saying so, then complete),
gives them a moment to flush, then lets uvicorn shut down as usual.
"""

from __future__ import annotations

import asyncio
from types import FrameType

import uvicorn

from gateway.subscriptions.service import shut_down_all

# Time the ended streams get to send their last result before uvicorn closes connections.
FLUSH_SECONDS = 0.5


class GatewayServer(uvicorn.Server):
    draining = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.draining:
            super().handle_exit(sig, frame)
            return
        self.draining = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            super().handle_exit(sig, frame)
            return
        loop.call_soon_threadsafe(self._drain, loop, sig, frame)

    def _drain(self, loop: asyncio.AbstractEventLoop, sig: int, frame: FrameType | None) -> None:
        ended = shut_down_all()
        loop.call_later(FLUSH_SECONDS if ended else 0, super().handle_exit, sig, frame)
