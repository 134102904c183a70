"""`execute`: run a query plan and shape the client's response.

    coerce variables → walk the plan (fetches merged into one tree) → introspection →
    shape against the normalized selection set → {data, errors}

Subgraph failures become errors in a partial response; only invalid variables (a request
error) and internal failures raise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from graphql import GraphQLObjectType, GraphQLSchema

from gateway.execution.client import GraphLike, JsonObject, SubgraphClient
from gateway.execution.introspection import introspect, introspection_fields
from gateway.execution.merge import deep_merge
from gateway.execution.plan_run import PlanRun
from gateway.execution.redaction import INCLUDE_ALL, SubgraphErrorPolicy
from gateway.execution.shape_plan import shape_plan_for
from gateway.execution.shaping import ShapingRun
from gateway.execution.variables import coerce_variables
from gateway.operation.prepared import PreparedOperation
from gateway.planning.nodes import QueryPlan


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
) -> JsonObject:
    schema = supergraph.api_schema
    coerced = coerce_variables(schema, operation.definition, variables)
    run = PlanRun(schema, supergraph.graphs, client, coerced, headers or {}, subgraph_errors)
    if plan.node is not None:
        await run.run(plan.node)
    introspection = introspection_fields(operation, coerced)
    if introspection:
        data, errors = introspect(schema, operation, introspection, variables)
        deep_merge(run.data, data)
        run.errors.extend(errors)
    root_type = schema.get_type(operation.root_type)
    assert isinstance(root_type, GraphQLObjectType)
    shape_plan = shape_plan_for(schema, root_type, operation, coerced, plan.typename_key)
    shaping = ShapingRun(run.errors, run.service_at, run.nulled_by_subgraph)
    response: JsonObject = {"data": shape_plan.shape(run.data, shaping)}
    if run.errors:
        response["errors"] = run.errors
    return response
