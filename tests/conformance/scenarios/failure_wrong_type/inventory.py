from __future__ import annotations

from typing import Any

from strawberry.asgi import GraphQL

from tests.conformance import faults
from tests.conformance.scenarios.failure_store import inventory_schema as schema


def wrong_stock(body: dict[str, Any]) -> dict[str, Any]:
    for entity in (body.get("data") or {}).get("_entities") or []:
        if entity and "stock" in entity:
            entity["stock"] = "many"
    return body


app = faults.rewrite_data(GraphQL(schema), wrong_stock)
