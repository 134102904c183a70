from __future__ import annotations

from strawberry.asgi import GraphQL

from tests.conformance import faults
from tests.conformance.scenarios.failure_store import inventory_schema as schema

app = faults.malformed_json(GraphQL(schema))
