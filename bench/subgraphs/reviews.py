"""reviews: who said what about which product (Apollo's classic example)."""

from __future__ import annotations

from bench.subgraphs.data import (
    PRODUCTS_BY_UPC,
    REVIEWS_BY_AUTHOR,
    REVIEWS_BY_PRODUCT,
    USERS_BY_ID,
)
from bench.subgraphs.definition import Record, SubgraphDefinition

SDL = """extend schema
  @link(
    url: "https://specs.apollo.dev/federation/v2.3"
    import: ["@key", "@external", "@provides"]
  )

type Review @key(fields: "id") {
  id: ID!
  body: String
  author: User @provides(fields: "username")
  product: Product
}

type User @key(fields: "id") {
  id: ID!
  username: String @external
  reviews: [Review]
}

type Product @key(fields: "upc") {
  upc: String!
  reviews: [Review]
}
"""


def _author(review: Record) -> Record:
    user = USERS_BY_ID[review["authorId"]]
    # The username is provided here (@provides), so the reference carries it.
    return {"__typename": "User", "id": user["id"], "username": user["username"]}


def _user(representation: Record) -> Record | None:
    user_id = str(representation.get("id"))
    if user_id not in USERS_BY_ID:
        return None
    return {"__typename": "User", "id": user_id}


def _product(representation: Record) -> Record | None:
    upc = str(representation.get("upc"))
    if upc not in PRODUCTS_BY_UPC:
        return None
    return {"__typename": "Product", "upc": upc}


REVIEWS_SUBGRAPH = SubgraphDefinition(
    name="reviews",
    sdl=SDL,
    resolvers={
        "Review": {
            "author": lambda review, _arguments: _author(review),
            "product": lambda review, _arguments: {
                "__typename": "Product",
                "upc": review["productUpc"],
            },
        },
        "User": {"reviews": lambda user, _arguments: REVIEWS_BY_AUTHOR.get(user["id"], [])},
        "Product": {
            "reviews": lambda product, _arguments: REVIEWS_BY_PRODUCT.get(product["upc"], [])
        },
    },
    entities={"User": _user, "Product": _product},
)
