"""The apps subgraph's federation schema."""

from __future__ import annotations

from strawberry.tools import merge_types

from subgraphs.apps.mutations import AppMutation
from subgraphs.apps.queries import Query
from subgraphs.apps.subscriptions import Subscription
from subgraphs.apps.types import App, Organization
from subgraphs.apps.webhook_mutations import WebhookMutation
from subgraphs.common.schema import SubgraphSchema

Mutation = merge_types("Mutation", (AppMutation, WebhookMutation))

schema = SubgraphSchema(
    query=Query, mutation=Mutation, subscription=Subscription, types=[App, Organization]
)
