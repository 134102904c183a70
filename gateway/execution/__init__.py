"""The execution stage: run a query plan against the subgraphs and shape the response."""

from gateway.execution.asgi_router import AsgiRouterTransport
from gateway.execution.client import (
    SubgraphClient,
    SubgraphFetchError,
    SubgraphRequest,
    SubgraphResponse,
)
from gateway.execution.execute import SupergraphLike, execute
from gateway.execution.http_client import HttpSubgraphClient
from gateway.execution.plan_run import PlanExecutionError
from gateway.execution.shape_cost import ShapedCost
from gateway.execution.variables import RequestError

__all__ = [
    "AsgiRouterTransport",
    "HttpSubgraphClient",
    "PlanExecutionError",
    "RequestError",
    "ShapedCost",
    "SubgraphClient",
    "SubgraphFetchError",
    "SubgraphRequest",
    "SubgraphResponse",
    "SupergraphLike",
    "execute",
]
