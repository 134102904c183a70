"""The batching pass (`gateway/planning/passes/batch_fetches.py`): a plan laid out in steps, the
entity fetches of a step to one subgraph as one `BatchFetch`; root fetches, mutations and
subscriptions left alone. `switchboard plan` prints plans batched, as they are served."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.operation import prepare
from gateway.planning import plan, print_plan
from gateway.planning.nodes import (
    BatchFetch,
    Condition,
    Fetch,
    Flatten,
    Parallel,
    PlanNode,
    QueryPlan,
    RequiredField,
    RequiredFragment,
    Sequence,
)
from gateway.planning.passes.batch_fetches import batch_fetches
from gateway.supergraph import Supergraph

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
BENCH_SUPERGRAPH = REPOSITORY / "bench" / "supergraph.graphql"


def entities(service: str, field: str, *variables: str) -> Fetch:
    declared = "".join(f"${name}:Boolean!" for name in variables)
    return Fetch(
        service,
        f"query($representations:[_Any!]!{declared})"
        f"{{_entities(representations:$representations){{...on Product{{{field}}}}}}}",
        variable_usages=variables,
        requires=(
            RequiredFragment("Product", (RequiredField("__typename"), RequiredField("upc"))),
        ),
    )


def at(path: str, fetch: Fetch) -> Flatten:
    return Flatten(tuple(path.split(".")), fetch)


ROOT = Fetch("products", "{topProducts{__typename upc}}")
STOCK_A = at("topProducts.@", entities("inventory", "inStock"))
STOCK_B = at("shelf.products.@", entities("inventory", "inStock"))
NAME_A = at("topProducts.@", entities("products", "name"))
NAME_B = at("shelf.products.@", entities("products", "name"))


def batched(node: PlanNode) -> PlanNode | None:
    return batch_fetches(QueryPlan(node)).node


def test_the_nth_steps_of_parallel_branches_run_as_one_step() -> None:
    plan = Parallel((Sequence((STOCK_A, NAME_A)), Sequence((STOCK_B, NAME_B))))

    result = batched(plan)

    assert isinstance(result, Sequence)
    first, second = result.nodes
    assert isinstance(first, BatchFetch)
    assert first.parts == (STOCK_A, STOCK_B)
    assert isinstance(second, BatchFetch)
    assert second.parts == (NAME_A, NAME_B)
    assert first.operation == (
        "query($representations0:[_Any!]!$representations1:[_Any!]!)"
        "{_0:_entities(representations:$representations0){...on Product{inStock}}"
        "_1:_entities(representations:$representations1){...on Product{inStock}}}"
    )


def test_the_printed_plan_shows_the_batch() -> None:
    plan = Sequence((ROOT, Parallel((STOCK_A, NAME_A, STOCK_B))))

    assert print_plan(batch_fetches(QueryPlan(plan))) == (
        """QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        topProducts {
          __typename
          upc
        }
      }
    },
    Parallel {
      BatchFetch(service: "inventory") {
        Flatten(path: "topProducts.@") {
          Fetch(service: "inventory") {
            {
              ... on Product {
                __typename
                upc
              }
            } =>
            {
              ... on Product {
                inStock
              }
            }
          },
        },
        Flatten(path: "shelf.products.@") {
          Fetch(service: "inventory") {
            {
              ... on Product {
                __typename
                upc
              }
            } =>
            {
              ... on Product {
                inStock
              }
            }
          },
        },
      },
      Flatten(path: "topProducts.@") {
        Fetch(service: "products") {
          {
            ... on Product {
              __typename
              upc
            }
          } =>
          {
            ... on Product {
              name
            }
          }
        },
      },
    },
  },
}"""
    )


def test_client_variables_are_declared_once_and_never_taken_for_representations() -> None:
    first = at("topProducts.@", entities("inventory", "inStock @include(if: $a)", "a"))
    second = at(
        "shelf.products.@",
        entities("inventory", "inStock @skip(if: $representations0)", "a", "representations0"),
    )

    result = batched(Parallel((first, second)))

    assert isinstance(result, BatchFetch)
    assert result.representation_variables == ("representations_0", "representations_1")
    assert result.variable_usages == ("a", "representations0")
    assert result.operation.startswith(
        "query($representations_0:[_Any!]!$representations_1:[_Any!]!$a:Boolean!"
        "$representations0:Boolean!){_0:_entities(representations:$representations_0)"
    )


def test_root_fetches_and_lone_entity_fetches_stay_as_they_are() -> None:
    other_root = Fetch("products", "{shelf{products{__typename upc}}}")
    plan = Sequence((Parallel((ROOT, other_root)), Parallel((STOCK_A, NAME_A))))

    assert batched(plan) == plan


def test_a_mutation_plan_is_left_alone() -> None:
    mutation = Fetch("products", "mutation{restock{__typename upc}}", operation_kind="mutation")
    plan = Sequence((mutation, Parallel((STOCK_A, STOCK_B))))

    assert batched(plan) == plan


def test_a_condition_is_a_step_of_its_own_batched_inside() -> None:
    plan = Parallel((Condition("ok", Parallel((STOCK_A, STOCK_B)), None), NAME_A))

    result = batched(plan)

    assert isinstance(result, Parallel)
    condition, name = result.nodes
    assert name == NAME_A
    assert isinstance(condition, Condition)
    assert isinstance(condition.if_clause, BatchFetch)
    assert condition.if_clause.parts == (STOCK_A, STOCK_B)


def requests(node: PlanNode | None) -> int:
    """Subgraph requests a plan sends (once each: no representation list is empty here)."""
    if isinstance(node, Fetch | Flatten | BatchFetch):
        return 1
    if isinstance(node, Sequence | Parallel):
        return sum(requests(child) for child in node.nodes)
    return 0


def test_heavy_nested_sends_eight_requests_instead_of_seventeen(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The benchmark's operation, as `switchboard plan` prints it (golden file beside this
    test): 2 root fetches and 15 entity fetches become 8 requests in 4 steps."""
    from gateway.cli import main

    query = HERE / "batched" / "heavy_nested.graphql"
    assert main(["plan", "--supergraph", str(BENCH_SUPERGRAPH), str(query)]) == 0
    assert capsys.readouterr().out == (HERE / "batched" / "heavy_nested.plan").read_text()

    supergraph = Supergraph.from_sdl(BENCH_SUPERGRAPH.read_text())
    operation = prepare(query.read_text(), None, supergraph.api_schema)
    planned = plan(supergraph, operation)
    served = batch_fetches(planned)
    assert (requests(planned.node), requests(served.node)) == (17, 8)
    assert isinstance(served.node, Sequence)
    assert len(served.node.nodes) == 4


@pytest.mark.parametrize(("switch", "expected"), [(True, 8), (False, 17)])
def test_the_gateway_serves_batched_plans_unless_turned_off(switch: bool, expected: int) -> None:
    from gateway.server import GatewayConfig
    from gateway.server.app import default_plan_cache

    supergraph = Supergraph.from_sdl(BENCH_SUPERGRAPH.read_text())
    config = GatewayConfig.model_validate({"subgraphs": {"batch_fetches": switch}})
    query = (HERE / "batched" / "heavy_nested.graphql").read_text()
    cache = default_plan_cache(supergraph, config)

    assert requests(cache.get(prepare(query, None, supergraph.api_schema)).node) == expected
