"""products: the catalogue (Apollo's classic example)."""

from __future__ import annotations

from typing import Any

from bench.subgraphs.data import PRODUCTS, PRODUCTS_BY_UPC
from bench.subgraphs.definition import Record, SubgraphDefinition

SDL = """extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Query {
  topProducts(first: Int = 5): [Product]
}

type Product @key(fields: "upc") {
  upc: String!
  name: String
  price: Int
  weight: Int
}
"""


def _top_products(_parent: Record, arguments: dict[str, Any]) -> tuple[Record, ...]:
    return PRODUCTS[: arguments["first"]]


def _product(representation: Record) -> Record | None:
    return PRODUCTS_BY_UPC.get(str(representation.get("upc")))


PRODUCTS_SUBGRAPH = SubgraphDefinition(
    name="products",
    sdl=SDL,
    resolvers={"Query": {"topProducts": _top_products}},
    entities={"Product": _product},
)
