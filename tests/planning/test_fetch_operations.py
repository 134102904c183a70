"""The operations fetches send: names, variables, `_entities` shape."""

from __future__ import annotations

from gateway.operation import prepare
from gateway.planning import plan
from gateway.planning.nodes import Fetch, Flatten, Sequence
from tests.planning.harness import supergraph


def _plan(query: str, name: str | None = None):
    graph = supergraph("basics")
    return plan(graph, prepare(query, name, graph.api_schema))


def test_named_operation_names_each_fetch_after_client_and_service() -> None:
    result = _plan(
        "query Top($first: Int) { topProducts(first: $first) { name reviews { body } } }", "Top"
    )
    assert isinstance(result.node, Sequence)
    root, flatten = result.node.nodes
    assert isinstance(root, Fetch)
    assert isinstance(flatten, Flatten)
    assert root.operation == (
        "query Top__products__0($first:Int){topProducts(first:$first){__typename upc name}}"
    )
    assert root.variable_usages == ("first",)
    assert flatten.path == ("topProducts", "@")
    assert flatten.node.operation == (
        "query Top__reviews__1($representations:[_Any!]!){_entities(representations:"
        "$representations){...on Product{reviews{body}}}}"
    )
    assert flatten.node.variable_usages == ()
    assert flatten.node.is_entity_fetch


def test_anonymous_operation_fetches_are_unnamed() -> None:
    result = _plan("{ topProducts { name } }")
    assert isinstance(result.node, Fetch)
    assert result.node.operation_name is None
    assert result.node.operation == "{topProducts{name}}"


def test_mutation_fetch_is_a_mutation() -> None:
    graph = supergraph("mutations")
    result = plan(graph, prepare('mutation { login(name: "a") }', None, graph.api_schema))
    assert isinstance(result.node, Fetch)
    assert result.node.operation_kind == "mutation"
    assert result.node.operation.startswith("mutation")
