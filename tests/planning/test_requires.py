"""Plans with `@requires`: what a fetch sends as representations (golden cases in
tests/fixtures/planning/requires/, run by test_golden_plans.py)."""

from __future__ import annotations

from gateway.execution.representations import representation
from gateway.operation import prepare
from gateway.planning import plan
from gateway.planning.nodes import Flatten, RequiredField, RequiredFragment, Sequence
from tests.planning.harness import supergraph

FEATURE = "requires"


def test_a_required_field_with_arguments_is_sent_under_its_name() -> None:
    # The client's `rate(region: "US")` and the required `rate(region: "EU")` share the
    # response key `rate`: the requirement is fetched under an alias, and the representation
    # carries the EU value as `rate`, the field the shipping subgraph declares external.
    graph = supergraph(FEATURE)
    query = '{ products { rate(region: "US") vat } }'
    root = plan(graph, prepare(query, None, graph.api_schema)).node
    assert isinstance(root, Sequence)
    shipping = root.nodes[-1]
    assert isinstance(shipping, Flatten)
    (fragment,) = shipping.node.requires
    assert isinstance(fragment, RequiredFragment)
    rate = fragment.selections[1]
    assert isinstance(rate, RequiredField)
    assert rate.name == "rate"
    assert rate.alias is not None
    merged = {"__typename": "Product", "id": "1", "rate": 0.1, rate.alias: 0.2}
    sent = representation(graph.api_schema, merged, shipping.node.requires)
    assert sent == {"__typename": "Product", "rate": 0.2, "id": "1"}
