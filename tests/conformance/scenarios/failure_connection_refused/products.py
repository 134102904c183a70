from __future__ import annotations

from strawberry.asgi import GraphQL

from tests.conformance import faults  # noqa: F401
from tests.conformance.scenarios.failure_store import products_schema as schema

app = GraphQL(schema)
