"""Counting one answered request: its outcome, its duration, and the refusals it carries."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from gateway.telemetry.logs import RequestFields
from gateway.telemetry.metrics import (
    REFUSALS,
    REQUEST_DURATION,
    REQUESTS,
    UNKNOWN_APP,
    OperationNames,
)

OPERATION_NAMES = OperationNames()
AUTH_CODES = frozenset({"UNAUTHENTICATED", "UNAUTHORIZED_FIELD_OR_TYPE", "FORBIDDEN"})


def refusal_reason(code: str) -> str | None:
    """Which family of refusal an error code belongs to; None for other errors."""
    if code.startswith("MAX_") or code.endswith("_LIMIT"):
        return "limit"
    if code in AUTH_CODES or code.startswith(("INVALID_TOKEN", "TOKEN_")):
        return "auth"
    if "RATE_LIMIT" in code:
        return "rate_limit"
    if code.startswith("COST_"):
        return "cost"
    return None


# Failures of the gateway itself, answered with status 200 as failed executions are.
INTERNAL_CODES = frozenset({"INTERNAL_SERVER_ERROR", "QUERY_PLANNING_FAILED"})


def outcome_status(response: Mapping[str, Any], request_error: bool, status: int | None) -> str:
    if status is not None and status >= 500:
        return "internal_error"
    errors = response.get("errors") or ()
    if any((error.get("extensions") or {}).get("code") in INTERNAL_CODES for error in errors):
        return "internal_error"
    if request_error:
        return "request_error"
    return "partial" if response.get("errors") else "success"


def observe_outcome(
    fields: RequestFields,
    response: Mapping[str, Any],
    request_error: bool,
    status: int | None,
    started: float,
) -> None:
    operation = OPERATION_NAMES.label(fields.operation)
    REQUESTS.labels(
        operation, outcome_status(response, request_error, status), fields.app or UNKNOWN_APP
    ).inc()
    REQUEST_DURATION.labels(operation).observe(time.perf_counter() - started)
    for error in response.get("errors") or ():
        code = str((error.get("extensions") or {}).get("code", ""))
        reason = refusal_reason(code)
        if reason is not None:
            REFUSALS.labels(reason, code).inc()
