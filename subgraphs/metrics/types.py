"""The value types of usage answers (the entity extensions live in `entities.py`)."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.type(description="Usage in one time bucket; buckets without traffic are omitted.")
class UsageBucket:
    start: datetime
    requests: int
    errors: int = strawberry.field(description="Requests that returned at least one error.")
    error_rate: float
    p50_ms: float | None
    p95_ms: float | None
    avg_ms: float | None


@strawberry.type
class UsageSummary:
    requests: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None


@strawberry.type
class OperationUsage:
    name: str | None = strawberry.field(description="Null for anonymous operations.")
    hash: str
    requests: int
    errors: int
    p95_ms: float | None


@strawberry.type
class FieldUsage:
    coordinate: str = strawberry.field(description='A schema coordinate, "Type.field".')
    requests: int
