"""The benchmark's data: deterministic, in memory, sized so the heavy operation answers with
tens of kilobytes.

Every user writes `REVIEWS_PER_USER` consecutive reviews, each about a different product, and
every product gets the same number of reviews, so each level of the nested operation fans out by
the same factor and the response size is predictable.
"""

from __future__ import annotations

from typing import Any

USER_COUNT = 10
PRODUCT_COUNT = 10
REVIEWS_PER_USER = 2
# Coprime with PRODUCT_COUNT: consecutive reviews land on distinct products and every product is
# hit equally often.
_PRODUCT_STRIDE = 7

_FIRST_NAMES = (
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "John",
    "Ken",
    "Margaret",
)
_LAST_NAMES = (
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "McCarthy",
    "Thompson",
    "Hamilton",
)
_PRODUCT_NAMES = (
    "Table",
    "Couch",
    "Chair",
    "Lamp",
    "Desk",
    "Shelf",
    "Stool",
    "Bench",
    "Rug",
    "Mirror",
)
_OPINIONS = (
    "Sturdy, well made and exactly as described; assembly took ten minutes.",
    "Looks great in the living room, although the colour is a little darker than pictured.",
    "Arrived quickly and well packaged. Would buy again from this seller.",
    "Good value for the price, but the finish scratches more easily than I hoped.",
    "Comfortable and solid. The whole family uses it every day.",
)

Record = dict[str, Any]


def _user(index: int) -> Record:
    return {
        "__typename": "User",
        "id": str(index + 1),
        "name": f"{_FIRST_NAMES[index % 10]} {_LAST_NAMES[index % 10]}",
        "username": f"@{_FIRST_NAMES[index % 10].lower()}{index + 1}",
    }


def _product(index: int) -> Record:
    return {
        "__typename": "Product",
        "upc": str(index + 1),
        "name": f"{_PRODUCT_NAMES[index % 10]} model {index + 1}",
        "price": 100 + (index * 137) % 1500,
        "weight": 5 + (index * 31) % 200,
    }


def _review(index: int) -> Record:
    return {
        "__typename": "Review",
        "id": str(index + 1),
        "body": f"Review {index + 1}: {_OPINIONS[index % len(_OPINIONS)]}",
        "authorId": str(index // REVIEWS_PER_USER + 1),
        "productUpc": str((index * _PRODUCT_STRIDE) % PRODUCT_COUNT + 1),
    }


USERS: tuple[Record, ...] = tuple(_user(index) for index in range(USER_COUNT))
PRODUCTS: tuple[Record, ...] = tuple(_product(index) for index in range(PRODUCT_COUNT))
REVIEWS: tuple[Record, ...] = tuple(
    _review(index) for index in range(USER_COUNT * REVIEWS_PER_USER)
)

USERS_BY_ID: dict[str, Record] = {user["id"]: user for user in USERS}
PRODUCTS_BY_UPC: dict[str, Record] = {product["upc"]: product for product in PRODUCTS}
REVIEWS_BY_AUTHOR: dict[str, list[Record]] = {
    user["id"]: [review for review in REVIEWS if review["authorId"] == user["id"]] for user in USERS
}
REVIEWS_BY_PRODUCT: dict[str, list[Record]] = {
    product["upc"]: [review for review in REVIEWS if review["productUpc"] == product["upc"]]
    for product in PRODUCTS
}


def in_stock(upc: str) -> bool:
    return int(upc) % 4 != 0


def shipping_estimate(price: int | None, weight: int | None) -> int | None:
    """Apollo's classic rule: free above 1000, else half the weight."""
    if price is None or weight is None:
        return None
    return 0 if price > 1000 else weight // 2
