"""The shape-plan caches are bounded by bytes, and what they are charged covers what their
entries really hold (checked against tracemalloc)."""

from __future__ import annotations

import gc
import tracemalloc

from graphql import GraphQLObjectType

from gateway.execution import shape_plan
from gateway.operation import prepare
from tests.execution.harness import SCHEMA


def many_fields(index: int, count: int = 300) -> str:
    return (
        "{ " + " ".join(f'a{index}_{n}: product(upc: "1") {{ upc }}' for n in range(count)) + " }"
    )


def test_the_charge_covers_what_shape_plans_hold() -> None:
    root = SCHEMA.query_type
    assert isinstance(root, GraphQLObjectType)
    operations = [prepare(many_fields(index), None, SCHEMA) for index in range(5)]
    before_charge = shape_plan.cached_bytes()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for operation in operations:
            shape_plan.shape_plan_for(SCHEMA, root, operation, {})
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()

    charged = shape_plan.cached_bytes() - before_charge
    # The syntax trees were alive before (the operations); the charge covers them too.
    assert 0 < held <= charged
