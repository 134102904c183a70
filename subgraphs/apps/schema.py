"""The apps subgraph's federation schema."""

from __future__ import annotations

from subgraphs.apps.mutations import Mutation
from subgraphs.apps.queries import Query
from subgraphs.apps.types import App, Organization
from subgraphs.common.schema import SubgraphSchema

schema = SubgraphSchema(query=Query, mutation=Mutation, types=[App, Organization])
