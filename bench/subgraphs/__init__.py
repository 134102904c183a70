"""The four fast in-memory subgraphs of Apollo's classic federation example."""

from __future__ import annotations

from bench.subgraphs.accounts import ACCOUNTS
from bench.subgraphs.definition import SubgraphDefinition
from bench.subgraphs.inventory import INVENTORY
from bench.subgraphs.products import PRODUCTS_SUBGRAPH
from bench.subgraphs.reviews import REVIEWS_SUBGRAPH

SUBGRAPHS: dict[str, SubgraphDefinition] = {
    definition.name: definition
    for definition in (ACCOUNTS, PRODUCTS_SUBGRAPH, INVENTORY, REVIEWS_SUBGRAPH)
}
