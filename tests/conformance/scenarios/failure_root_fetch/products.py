from __future__ import annotations

from strawberry.asgi import GraphQL

from tests.conformance import faults
from tests.conformance.scenarios.failure_store import products_schema as schema

app = faults.http_error(GraphQL(schema), 503)
