"""Is a port free? Asked before serving, so a port in use is one clear line, not a traceback
from deep inside uvicorn."""

from __future__ import annotations

import errno
import socket


def port_taken(host: str, port: int) -> str | None:
    """Why `port` on `host` cannot be listened on, or None when it can."""
    if port == 0:
        return None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use (choose another with --port)"
            return f"cannot listen on {host}:{port}: {error.strerror or error}"
    return None
