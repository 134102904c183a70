"""The installs subgraph's federation schema."""

from __future__ import annotations

import strawberry

from subgraphs.installs.entities import App, Installation, Workspace
from subgraphs.installs.mutations import Mutation
from subgraphs.installs.queries import Query

schema = strawberry.federation.Schema(
    query=Query, mutation=Mutation, types=[App, Installation, Workspace]
)
