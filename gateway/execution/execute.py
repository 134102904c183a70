"""`execute`: run a query plan and shape the client's response.

    coerce variables → walk the plan (fetches merged into one tree) → introspection →
    shape against the normalized selection set (counting its actual cost when asked) →
    {data, errors}

Subgraph failures become errors in a partial response; only invalid variables (a request
error) and internal failures raise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from graphql import GraphQLObjectType, GraphQLSchema

from gateway.execution.client import GraphLike, JsonObject, SubgraphClient, SubgraphResponse
from gateway.execution.introspection import introspect, introspection_fields
from gateway.execution.merge import deep_merge
from gateway.execution.plan_run import PlanExecutionError, PlanRun
from gateway.execution.redaction import INCLUDE_ALL, SubgraphErrorPolicy
from gateway.execution.shape_cost import ShapedCost
from gateway.execution.shape_plan import shape_plan_for
from gateway.execution.shaping import ShapingRun
from gateway.execution.variables import coerce_variables
from gateway.operation.prepared import PreparedOperation
from gateway.planning.nodes import QueryPlan, Subscription
from gateway.telemetry.tracing import stage

# Called with the merged data and the errors before shaping (the auth stage reports the fields
# it took out of the plan there, so shaping answers them null).
BeforeShaping = Callable[[JsonObject, list[JsonObject]], None]


class SupergraphLike(Protocol):
    """What execution reads of the supergraph (`gateway.supergraph.Supergraph` fits)."""

    @property
    def api_schema(self) -> GraphQLSchema: ...

    @property
    def graphs(self) -> Mapping[str, GraphLike]: ...


async def execute(
    plan: QueryPlan,
    operation: PreparedOperation,
    variables: Mapping[str, Any] | None,
    supergraph: SupergraphLike,
    client: SubgraphClient,
    headers: Mapping[str, str] | None = None,
    subgraph_errors: SubgraphErrorPolicy = INCLUDE_ALL,
    *,
    shaped_operation: PreparedOperation | None = None,
    introspection_schema: GraphQLSchema | None = None,
    before_shaping: BeforeShaping | None = None,
    cost: ShapedCost | None = None,
) -> JsonObject:
    """`plan` runs `operation`; the response is shaped for `shaped_operation` when given (the
    client's operation, of which the auth stage planned only the authorized part).
    Introspection answers from `introspection_schema` (the caller's view) when given. With
    `cost`, shaping counts the response's actual cost into it (`shape_cost.py`)."""
    schema = supergraph.api_schema
    coerced = coerce_variables(schema, operation.definition, variables)
    run = PlanRun(schema, supergraph.graphs, client, coerced, headers or {}, subgraph_errors)
    if plan.node is not None:
        await run.run(plan.node)
    return finish(
        run,
        plan,
        operation,
        coerced,
        variables,
        shaped_operation=shaped_operation,
        introspection_schema=introspection_schema,
        before_shaping=before_shaping,
        cost=cost,
    )


async def execute_event(
    plan: QueryPlan,
    event: SubgraphResponse,
    operation: PreparedOperation,
    coerced: Mapping[str, Any],
    supergraph: SupergraphLike,
    client: SubgraphClient,
    headers: Mapping[str, str] | None = None,
    subgraph_errors: SubgraphErrorPolicy = INCLUDE_ALL,
    *,
    shaped_operation: PreparedOperation | None = None,
    before_shaping: BeforeShaping | None = None,
) -> JsonObject:
    """One event of a subscription plan: `event` is what the primary fetch yielded; the rest
    of the plan (entity fetches) runs on it, then the result is shaped as for a query.
    `coerced` are the operation's variables, coerced once when the subscription started."""
    node = plan.node
    if not isinstance(node, Subscription):
        raise PlanExecutionError("execute_event needs a subscription plan")
    schema = supergraph.api_schema
    run = PlanRun(schema, supergraph.graphs, client, coerced, headers or {}, subgraph_errors)
    run.accept_root(node.primary, event)
    if node.rest is not None:
        await run.run(node.rest)
    return finish(
        run,
        plan,
        operation,
        coerced,
        None,
        shaped_operation=shaped_operation,
        before_shaping=before_shaping,
    )


def finish(
    run: PlanRun,
    plan: QueryPlan,
    operation: PreparedOperation,
    coerced: Mapping[str, Any],
    variables: Mapping[str, Any] | None,
    *,
    shaped_operation: PreparedOperation | None = None,
    introspection_schema: GraphQLSchema | None = None,
    before_shaping: BeforeShaping | None = None,
    cost: ShapedCost | None = None,
) -> JsonObject:
    """Introspection, the auth stage's reports, and shaping of a walked plan's tree."""
    schema = run.schema
    introspection = introspection_fields(operation, coerced)
    if introspection:
        view = introspection_schema or schema
        data, errors = introspect(view, operation, introspection, variables)
        deep_merge(run.data, data)
        run.errors.extend(errors)
    if before_shaping is not None:
        before_shaping(run.data, run.errors)
    shaped = shaped_operation or operation
    root_type = schema.get_type(shaped.root_type)
    assert isinstance(root_type, GraphQLObjectType)
    with stage("shape"):
        costs = cost.tree if cost is not None else None
        shape_plan = shape_plan_for(schema, root_type, shaped, coerced, plan.typename_key, costs)
        shaping = ShapingRun(run.errors, run.service_at, run.nulled_by_subgraph)
        response: JsonObject = {"data": shape_plan.shape(run.data, shaping)}
    if cost is not None and shape_plan.countable and not shaping.propagated:
        cost.count = shaping.cost
    if run.errors:
        response["errors"] = run.errors
    return response
