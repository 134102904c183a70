"""Check a gateway's answers to the benchmark operation against the expected response."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from bench.operation import REQUEST_BODY


@dataclass(frozen=True)
class Validation:
    checked: int
    wrong: int
    first_problem: str = ""


def first_difference(expected: Any, actual: Any, path: str = "") -> str | None:
    """Where two JSON values first differ, as `path: expected … got …` (None when equal)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected:
            if key not in actual:
                return f"{path}.{key}: missing"
            difference = first_difference(expected[key], actual[key], f"{path}.{key}")
            if difference:
                return difference
        extra = [key for key in actual if key not in expected]
        return f"{path}.{extra[0]}: unexpected" if extra else None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return f"{path}: expected {len(expected)} items, got {len(actual)}"
        for index, (expected_item, actual_item) in enumerate(zip(expected, actual, strict=True)):
            difference = first_difference(expected_item, actual_item, f"{path}[{index}]")
            if difference:
                return difference
        return None
    if expected != actual or type(expected) is not type(actual):
        return f"{path or '.'}: expected {expected!r:.80}, got {actual!r:.80}"
    return None


def validate_sample(
    url: str,
    expected: dict[str, Any],
    count: int,
    body: bytes = REQUEST_BODY,
    headers: dict[str, str] | None = None,
) -> Validation:
    """Send the operation (`body`) `count` times and compare every parsed answer with
    `expected`."""
    wrong, first_problem = 0, ""
    with httpx.Client(timeout=30.0, headers=headers) as client:
        for _ in range(count):
            problem = _problem(client, url, expected, body)
            if problem:
                wrong += 1
                first_problem = first_problem or problem
    return Validation(checked=count, wrong=wrong, first_problem=first_problem)


def _problem(client: httpx.Client, url: str, expected: dict[str, Any], body: bytes) -> str | None:
    try:
        response = client.post(url, content=body, headers={"content-type": "application/json"})
    except httpx.HTTPError as error:
        return f"request failed: {error!r}"
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    try:
        answer = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return f"not JSON: {response.text[:300]}"
    if answer.get("errors"):
        return f"GraphQL errors: {orjson.dumps(answer['errors'][:3]).decode()[:300]}"
    return first_difference(expected, answer)
