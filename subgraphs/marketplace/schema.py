"""The marketplace subgraph's federation schema."""

from __future__ import annotations

from subgraphs.common.schema import SubgraphSchema
from subgraphs.marketplace.mutations import Mutation
from subgraphs.marketplace.queries import Query
from subgraphs.marketplace.subscriptions import Subscription
from subgraphs.marketplace.types import App, Category, Listing, Review, Workspace

schema = SubgraphSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[App, Workspace, Listing, Category, Review],
)
