"""The apps subgraph's federation schema."""

from __future__ import annotations

import strawberry

from subgraphs.apps.mutations import Mutation
from subgraphs.apps.queries import Query
from subgraphs.apps.types import App, Organization

schema = strawberry.federation.Schema(query=Query, mutation=Mutation, types=[App, Organization])
