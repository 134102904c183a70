"""Plans over the interface-object supergraph: the rewrites a fetch applies to representations
(golden cases in tests/fixtures/planning/interface_object/, run by test_golden_plans.py).

`concrete` differs from Apollo's text only in how an ID argument literal is printed
(`concrete.apollo.plan`; see docs/deviations.md)."""

from __future__ import annotations

from gateway.operation import prepare
from gateway.planning import plan
from gateway.planning.nodes import Fetch, Flatten, PlanNode, Sequence, ValueSetter
from tests.planning.harness import supergraph

FEATURE = "interface_object"


def fetches(node: PlanNode | None) -> list[Fetch]:
    if isinstance(node, Fetch):
        return [node]
    if isinstance(node, Flatten):
        return [node.node]
    if isinstance(node, Sequence):
        return [fetch for child in node.nodes for fetch in fetches(child)]
    return []


def fetch_to(service: str, query: str) -> Fetch:
    graph = supergraph(FEATURE)
    found = fetches(plan(graph, prepare(query, None, graph.api_schema)).node)
    return next(fetch for fetch in found if fetch.service_name == service)


def test_representations_for_an_interface_object_name_the_interface() -> None:
    # Apollo: inputRewrites [{path: ["... on Book", "__typename"], setValueTo: "Media"}].
    fetch = fetch_to("ratings", '{ book(id: "1") { rating } }')
    assert fetch.input_rewrites == (ValueSetter(("... on Book", "__typename"), "Media"),)


def test_every_implementation_is_renamed_when_the_anchor_is_the_interface() -> None:
    fetch = fetch_to("ratings", "{ media { rating } }")
    assert set(fetch.input_rewrites) == {
        ValueSetter(("... on Book", "__typename"), "Media"),
        ValueSetter(("... on Movie", "__typename"), "Media"),
    }


def test_a_subgraph_with_the_real_interface_needs_no_rename() -> None:
    assert fetch_to("media", "{ topRated { __typename } }").input_rewrites == ()
