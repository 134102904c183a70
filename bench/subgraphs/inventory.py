"""inventory: stock and shipping, which needs the products subgraph's price and weight."""

from __future__ import annotations

from bench.subgraphs.data import PRODUCTS_BY_UPC, in_stock, shipping_estimate
from bench.subgraphs.definition import Record, SubgraphDefinition

SDL = """extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires"])

type Product @key(fields: "upc") {
  upc: String!
  weight: Int @external
  price: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
}
"""


def _product(representation: Record) -> Record | None:
    upc = str(representation.get("upc"))
    if upc not in PRODUCTS_BY_UPC:
        return None
    # price and weight are external: only what the representation carries is known here.
    return {
        "__typename": "Product",
        "upc": upc,
        "price": representation.get("price"),
        "weight": representation.get("weight"),
        "inStock": in_stock(upc),
    }


INVENTORY = SubgraphDefinition(
    name="inventory",
    sdl=SDL,
    resolvers={
        "Product": {
            "shippingEstimate": lambda product, _arguments: shipping_estimate(
                product["price"], product["weight"]
            )
        }
    },
    entities={"Product": _product},
)
