"""The installs subgraph's federation schema."""

from __future__ import annotations

from subgraphs.common.schema import SubgraphSchema
from subgraphs.installs.entities import App, Installation, Workspace
from subgraphs.installs.mutations import Mutation
from subgraphs.installs.queries import Query
from subgraphs.installs.subscriptions import Subscription

schema = SubgraphSchema(
    query=Query, mutation=Mutation, subscription=Subscription, types=[App, Installation, Workspace]
)
