"""Fields the planner adds for its own needs never share a response key with a client field.

Keys (nested ones too), `@requires` fields and `__typename` are fetched beside the client's
fields; when a client field holds one of their names as its response key, the added field is
fetched under an alias (`sb_<name>`), and the representations read it from there while sending
it under its own name (the plan's `=>` side shows the name sent). Without a collision the
plans are unchanged (the golden suite).
"""

from __future__ import annotations

import pytest

from tests.planning.harness import plan_text

CASES = {
    # A nested key field (`vendor { id }`) beside the client's `id: name`.
    "nested_key": (
        "keys",
        '{ sku(sku: "a", vendor: "b") { barcode vendor { id: name } } }',
        """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        sku(sku: "a", vendor: "b") {
          __typename
          code
          vendor {
            __typename
            sb_id: id
          }
        }
      }
    },
    Parallel {
      Flatten(path: "sku") {
        Fetch(service: "inventory") {
          {
            ... on Sku {
              __typename
              code
              vendor {
                id
              }
            }
          } =>
          {
            ... on Sku {
              barcode
            }
          }
        },
      },
      Flatten(path: "sku.vendor") {
        Fetch(service: "warehouses") {
          {
            ... on Vendor {
              __typename
              id
            }
          } =>
          {
            ... on Vendor {
              id: name
            }
          }
        },
      },
    },
  },
}
""",
    ),
    # A key added inside a `@provides` path, where `name` is provided.
    "provided_path": (
        "provides",
        "{ reviews { author { id: name email } } }",
        """\
QueryPlan {
  Sequence {
    Fetch(service: "reviews") {
      {
        reviews {
          author {
            __typename
            sb_id: id
            id: name
          }
        }
      }
    },
    Flatten(path: "reviews.@.author") {
      Fetch(service: "accounts") {
        {
          ... on User {
            __typename
            id
          }
        } =>
        {
          ... on User {
            email
          }
        }
      },
    },
  },
}
""",
    ),
    # A `@requires` field (`price`) beside the client's `price: id`.
    "requires": (
        "requires",
        "{ products { price: id insurance } }",
        """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        products {
          __typename
          id
          price: id
          sb_price: price
        }
      }
    },
    Flatten(path: "products.@") {
      Fetch(service: "shipping") {
        {
          ... on Product {
            __typename
            id
            price
          }
        } =>
        {
          ... on Product {
            insurance
          }
        }
      },
    },
  },
}
""",
    ),
    # `__typename`, under an abstract type and in the entity jump, beside `__typename: id`.
    "typename": (
        "abstract",
        "{ items { __typename: id ... on Shoe { size discount } } }",
        """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        items {
          sb_typename: __typename
          __typename: id
          ... on Shoe {
            sb_typename: __typename
            id
            size
          }
        }
      }
    },
    Flatten(path: "items.@") {
      Fetch(service: "promotions") {
        {
          ... on Shoe {
            __typename
            id
          }
        } =>
        {
          ... on Shoe {
            discount
          }
        }
      },
    },
  },
}
""",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_added_fields_are_aliased_away_from_client_fields(case: str) -> None:
    feature, query, expected = CASES[case]
    assert plan_text(feature, query) == expected.rstrip("\n")


def test_without_a_collision_nothing_is_aliased() -> None:
    assert "sb_" not in plan_text(
        "keys", '{ sku(sku: "a", vendor: "b") { barcode vendor { name } } }'
    )
