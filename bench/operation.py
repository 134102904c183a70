"""The operation every gateway is measured with, and the answer it must get.

users → reviews → product → reviews → author → reviews → product, and topProducts to the same
depth: every level is a hop between subgraphs, and `shippingEstimate` adds a `@requires` hop, so
the plan has entity fetches in sequence and in parallel. The expected answer comes from a
monolith: the same data served as one plain schema, run by the same compiled executor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from bench.subgraphs import data
from bench.subgraphs.definition import SubgraphDefinition
from bench.subgraphs.executor import SubgraphExecutor

FRAGMENTS = """fragment UserFields on User {
  id
  name
  username
}

fragment ReviewFields on Review {
  id
  body
}

fragment ProductFields on Product {
  upc
  name
  price
  weight
  inStock
  shippingEstimate
}
"""

USERS_BRANCH = """  users {
    ...UserFields
    reviews {
      ...ReviewFields
      product {
        ...ProductFields
        reviews {
          ...ReviewFields
          author {
            ...UserFields
            reviews {
              ...ReviewFields
              product {
                ...ProductFields
              }
            }
          }
        }
      }
    }
  }
"""

TOP_PRODUCTS_BRANCH = """  topProducts(first: 5) {
    ...ProductFields
    reviews {
      ...ReviewFields
      author {
        ...UserFields
        reviews {
          ...ReviewFields
          product {
            ...ProductFields
            reviews {
              ...ReviewFields
              author {
                ...UserFields
              }
            }
          }
        }
      }
    }
  }
"""


def operation_text(name: str, *branches: str) -> str:
    return f"query {name} {{\n{''.join(branches)}}}\n\n{FRAGMENTS}"


OPERATION_NAME = "HeavyNested"
OPERATION = operation_text(OPERATION_NAME, USERS_BRANCH, TOP_PRODUCTS_BRANCH)

REQUEST_BODY: bytes = orjson.dumps({"query": OPERATION, "operationName": OPERATION_NAME})

# The two halves of HeavyNested, each on its own: for profiling one branch, or for measuring
# while the engine gets the other one wrong. The full operation stays the benchmark.
TOP_PRODUCTS_OPERATION = operation_text("TopProductsNested", TOP_PRODUCTS_BRANCH)
USERS_OPERATION = operation_text("UsersNested", USERS_BRANCH)

# HeavyNested without `shippingEstimate`, so without its `@requires` hop: the same depth and
# fan-out for an engine (or an engine change) that cannot plan `@requires` below a list yet.
NO_REQUIRES_OPERATION = OPERATION.replace(
    "query HeavyNested", "query HeavyNestedNoRequires"
).replace("  inStock\n  shippingEstimate\n", "  inStock\n")

_MONOLITH_SDL = """
type Query {
  me: User
  users: [User!]!
  topProducts(first: Int = 5): [Product]
}

type User {
  id: ID!
  name: String
  username: String
  reviews: [Review]
}

type Product {
  upc: String!
  name: String
  price: Int
  weight: Int
  inStock: Boolean
  shippingEstimate: Int
  reviews: [Review]
}

type Review {
  id: ID!
  body: String
  author: User
  product: Product
}
"""

MONOLITH = SubgraphDefinition(
    name="monolith",
    sdl=_MONOLITH_SDL,
    resolvers={
        "Query": {
            "me": lambda _parent, _arguments: data.USERS[0],
            "users": lambda _parent, _arguments: data.USERS,
            "topProducts": lambda _parent, arguments: data.PRODUCTS[: arguments["first"]],
        },
        "User": {"reviews": lambda user, _arguments: data.REVIEWS_BY_AUTHOR[user["id"]]},
        "Product": {
            "reviews": lambda product, _arguments: data.REVIEWS_BY_PRODUCT[product["upc"]],
            "inStock": lambda product, _arguments: data.in_stock(product["upc"]),
            "shippingEstimate": lambda product, _arguments: data.shipping_estimate(
                product["price"], product["weight"]
            ),
        },
        "Review": {
            "author": lambda review, _arguments: data.USERS_BY_ID[review["authorId"]],
            "product": lambda review, _arguments: data.PRODUCTS_BY_UPC[review["productUpc"]],
        },
    },
    entities={},
)


def expected_response() -> dict[str, Any]:
    """What a correct gateway answers to the benchmark operation."""
    return SubgraphExecutor(MONOLITH).execute(OPERATION, OPERATION_NAME)


@dataclass(frozen=True)
class BenchOperation:
    """One operation the harness can measure: its text, name and request body."""

    key: str
    name: str
    text: str

    @property
    def request_body(self) -> bytes:
        return orjson.dumps({"query": self.text, "operationName": self.name})

    def expected_response(self) -> dict[str, Any]:
        return SubgraphExecutor(MONOLITH).execute(self.text, self.name)


OPERATIONS: dict[str, BenchOperation] = {
    operation.key: operation
    for operation in (
        BenchOperation("heavy", OPERATION_NAME, OPERATION),
        BenchOperation("top-products", "TopProductsNested", TOP_PRODUCTS_OPERATION),
        BenchOperation("users", "UsersNested", USERS_OPERATION),
        BenchOperation("no-requires", "HeavyNestedNoRequires", NO_REQUIRES_OPERATION),
    )
}
DEFAULT_OPERATION = "heavy"
