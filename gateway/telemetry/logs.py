"""Log records as JSON lines (or readable console lines), with the request they belong to.

`configure_logging` installs one handler on the root logger, so the gateway's, uvicorn's and
the libraries' records all come out in one format. The request fields (`trace_id`,
`operation`, `app`) come from a context variable the pipeline sets per request: a record
logged while answering a request carries them, whichever module logs it.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["json", "console"]


class RequestFields:
    """What is known of the request being answered; filled in as the stages learn it."""

    __slots__ = ("_trace_id", "app", "headers", "kind", "operation", "requested_operation")

    def __init__(self, headers: Mapping[str, str], requested_operation: str | None) -> None:
        self.headers = headers
        self.requested_operation = requested_operation
        self.operation = requested_operation
        self.kind: str | None = None
        # The calling app, once the auth stage has verified who calls.
        self.app: str | None = None
        self._trace_id: str | None = None

    def identify(self, operation: str | None, kind: str) -> None:
        self.operation = operation
        self.kind = kind

    @property
    def trace_id(self) -> str:
        """The current span's trace, else the caller's `traceparent`, else a new id; computed
        only when a log record or an error needs it."""
        if self._trace_id is None:
            from gateway.telemetry.tracing import current_trace_id, trace_id_of

            self._trace_id = current_trace_id() or trace_id_of(self.headers)
        return self._trace_id


REQUEST: ContextVar[RequestFields | None] = ContextVar("switchboard_request", default=None)
# Attributes every LogRecord has; anything else was passed with `extra=` and is logged too.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {
        key: value for key, value in vars(record).items() if key not in _STANDARD
    }
    request = REQUEST.get()
    if request is not None:
        fields.setdefault("trace_id", request.trace_id)
        if request.operation:
            fields.setdefault("operation", request.operation)
        if request.app:
            fields.setdefault("app", request.app)
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **record_fields(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class ConsoleFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = record_fields(record)
        if fields:
            line += "  " + " ".join(f"{key}={value}" for key, value in fields.items())
        return line


def configure_logging(level: str = "info", log_format: LogFormat = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else ConsoleFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn's loggers keep their own handlers when it configured them; ours replace them.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
