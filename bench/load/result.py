"""What one load run measured, whichever generator ran it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class LoadResult:
    generator: str
    duration_seconds: float
    connections: int
    requests: int
    requests_per_second: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    latency_max_ms: float
    non_200_responses: int
    graphql_error_responses: int
    # Connections refused or reset, reads and writes that failed, requests that timed out.
    transport_errors: int
    # CPU seconds the generator itself used (so it can be seen not to starve the gateway).
    generator_cpu_seconds: float = 0.0

    @property
    def errors(self) -> int:
        return self.non_200_responses + self.graphql_error_responses + self.transport_errors

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "errors": self.errors}


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]
