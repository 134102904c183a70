"""Authorization on abstract types and on types themselves (`tests/fixtures/auth_abstract/`):
a field of an interface, members of an interface and of a union carrying different
requirements, `@authenticated`/`@requiresScopes` on an object type, an enum and a scalar, and
inline and named fragments on all of them. Each test checks what a caller sees: the operation
each subgraph is sent, null and an `UNAUTHORIZED_FIELD_OR_TYPE` error at each concrete path
(only where the object is of the fragment's type), the schema introspection shows the token,
and one plan per set of denied requirements."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.planning import PlanCache
from gateway.server import GatewayConfig
from gateway.server.reload import compose_from_config
from tests.auth.abstract_gateway import SUPERGRAPH, AbstractGateway, abstract_gateway

UNAUTHORIZED = "UNAUTHORIZED_FIELD_OR_TYPE"
EVERY_SCOPE = {"price:read", "film:read", "rating:read", "code:read"}
# `{ items { id name price } }` denied on both items, field by field.
EVERY_ITEM_FIELD = [["items", item, field] for field in ("id", "name", "price") for item in (0, 1)]


def test_the_fixture_is_what_the_composer_makes_of_its_subgraphs() -> None:
    composed = compose_from_config(SUPERGRAPH.with_name("supergraph.yaml"))
    assert composed == SUPERGRAPH.read_text(encoding="utf-8")


def paths(body: dict[str, Any]) -> list[list[str | int]]:
    assert {error["extensions"]["code"] for error in body.get("errors", [])} <= {UNAUTHORIZED}
    return [error["path"] for error in body.get("errors", [])]


@pytest.mark.parametrize(
    ("query", "scopes", "sent", "data", "denied"),
    [
        # A field read through the interface needs what every implementation needs (Apollo
        # Router's special case for interfaces): `Film` is guarded on its type, so without
        # `film:read` no field of any item is read through `Item`, and the non-null `id` and
        # `name` take the non-null list and the whole data with them. Denied on every item.
        (
            "{ items { id name price } }",
            None,
            "{items{__typename}}",
            None,
            EVERY_ITEM_FIELD,
        ),
        (
            "{ items { id name price } }",
            {"price:read"},
            "{items{__typename}}",
            None,
            EVERY_ITEM_FIELD,
        ),
        (
            "{ items { id name price } }",
            {"price:read", "film:read"},
            "{items{__typename id name price}}",
            {
                "items": [
                    {"id": "b1", "name": "Dune", "price": 10},
                    {"id": "f1", "name": "Alien", "price": 12},
                ]
            },
            [],
        ),
        # Members of the interface with their own requirements, in inline fragments: the Book
        # keeps `isbn` (authenticated: any token), the Film loses `rating` (Film and the Rating
        # enum are guarded), and `name`, read through `Item`, needs `film:read` on every item.
        (
            "{ items { name ... on Film { rating } ... on Book { isbn } } }",
            set(),
            "{items{__typename ...on Book{isbn}}}",
            None,
            [["items", 0, "name"], ["items", 1, "name"], ["items", 1, "rating"]],
        ),
        # The type is granted, the enum it returns is not.
        (
            "{ items { name ... on Film { rating } ... on Book { isbn } } }",
            {"film:read"},
            "{items{__typename name ...on Book{isbn}}}",
            {"items": [{"name": "Dune", "isbn": "isbn-1"}, {"name": "Alien", "rating": None}]},
            [["items", 1, "rating"]],
        ),
        (
            "{ items { name ... on Film { rating } ... on Book { isbn } } }",
            {"film:read", "rating:read"},
            "{items{__typename name ...on Film{rating}...on Book{isbn}}}",
            {"items": [{"name": "Dune", "isbn": "isbn-1"}, {"name": "Alien", "rating": "R"}]},
            [],
        ),
        # No token: `@authenticated` on a field of a member.
        (
            "{ items { ... on Book { isbn } } }",
            None,
            "{items{__typename}}",
            {"items": [{"isbn": None}, {}]},
            [["items", 0, "isbn"]],
        ),
        # A named fragment on a union member guarded by its type: denied on the Film only.
        (
            "{ results { __typename ...F } } fragment F on Film { price }",
            {"price:read"},
            "{results{__typename}}",
            {
                "results": [
                    {"__typename": "Book"},
                    {"__typename": "Film", "price": None},
                    {"__typename": "Author"},
                ]
            },
            [["results", 1, "price"]],
        ),
        (
            "{ results { __typename ...F } } fragment F on Film { price }",
            {"price:read", "film:read"},
            "{results{__typename ...on Film{price}}}",
            {
                "results": [
                    {"__typename": "Book"},
                    {"__typename": "Film", "price": 12},
                    {"__typename": "Author"},
                ]
            },
            [],
        ),
        # An interface fragment inside the union, next to an `@authenticated` type's fragment:
        # the Author's non-null `name` is denied, so the non-null list and the whole data go.
        (
            "{ results { ... on Item { price } ... on Author { name } } }",
            None,
            "{results{__typename}}",
            None,
            [["results", 0, "price"], ["results", 1, "price"], ["results", 2, "name"]],
        ),
        # Through `Item`, `price` needs `film:read` too, on the Book as on the Film.
        (
            "{ results { ... on Item { price } ... on Author { name } } }",
            {"price:read"},
            "{results{__typename ...on Author{name}}}",
            {"results": [{"price": None}, {"price": None}, {"name": "Herbert"}]},
            [["results", 0, "price"], ["results", 1, "price"]],
        ),
        (
            "{ results { ... on Item { price } ... on Author { name } } }",
            {"price:read", "film:read"},
            "{results{__typename ...on Item{price}...on Author{name}}}",
            {"results": [{"price": 10}, {"price": 12}, {"name": "Herbert"}]},
            [],
        ),
        # Nested fragments narrow to the types both conditions allow, in either order, and a
        # fragment without a type condition keeps its parent's.
        (
            "{ results { ... on Item { ... on Film { price } } } }",
            {"price:read"},
            "{results{__typename}}",
            {"results": [{}, {"price": None}, {}]},
            [["results", 1, "price"]],
        ),
        (
            "{ results { ... on Film { ... on Item { price } } } }",
            {"price:read"},
            "{results{__typename}}",
            {"results": [{}, {"price": None}, {}]},
            [["results", 1, "price"]],
        ),
        (
            "{ results { ... on Film { ... @include(if: true) { price } } } }",
            {"price:read"},
            "{results{__typename}}",
            {"results": [{}, {"price": None}, {}]},
            [["results", 1, "price"]],
        ),
        (
            "{ results { ... on Item { ... on Film { price } } } }",
            {"price:read", "film:read"},
            "{results{__typename ...on Item{...on Film{price}}}}",
            {"results": [{}, {"price": 12}, {}]},
            [],
        ),
        # A fragment that keeps some of its fields stays, and asks for `__typename`.
        (
            "{ items { ... on Book { name isbn } } }",
            None,
            "{items{__typename ...on Book{name __typename}}}",
            {"items": [{"name": "Dune", "isbn": None}, {}]},
            [["items", 0, "isbn"]],
        ),
        # One named fragment in two places: an error at every place it lands.
        (
            "{ a: items { ...P } b: items { ...P } } fragment P on Item { price }",
            None,
            "{a:items{__typename}b:items{__typename}}",
            {"a": [{"price": None}, {"price": None}], "b": [{"price": None}, {"price": None}]},
            [["a", 0, "price"], ["a", 1, "price"], ["b", 0, "price"], ["b", 1, "price"]],
        ),
        # A fragment on the interface itself applies to every item.
        (
            "{ items { ... on Item { price } } }",
            None,
            "{items{__typename}}",
            {"items": [{"price": None}, {"price": None}]},
            [["items", 0, "price"], ["items", 1, "price"]],
        ),
        # The restricted operation keeps the client's name and variables (the plan reads
        # them; the subgraph operation is named after it).
        (
            "query Named($no: Boolean = false) {"
            " items @skip(if: $no) { name ... on Book @include(if: true) { isbn id } } }",
            None,
            "query Named__catalog__0{items{__typename ...on Book{id __typename}}}",
            None,
            [["items", 0, "name"], ["items", 1, "name"], ["items", 0, "isbn"]],
        ),
        (
            "query Named($no: Boolean = true) {"
            " items { name ... on Book @include(if: $no) { isbn id } } }",
            None,
            "query Named__catalog__0($no:Boolean=true)"
            "{items{__typename ...on Book@include(if:$no){id __typename}}}",
            None,
            [["items", 0, "name"], ["items", 1, "name"], ["items", 0, "isbn"]],
        ),
        # A field below the root that lost a field keeps its arguments' and directives'
        # variables.
        (
            "query Named($yes: Boolean = true) {"
            " items { ... on Book { similar @include(if: $yes) { name price } } } }",
            None,
            "query Named__catalog__0($yes:Boolean=true)"
            "{items{__typename ...on Book{similar@include(if:$yes){__typename}__typename}}}",
            None,
            [["items", 0, "similar", 0, "name"], ["items", 0, "similar", 0, "price"]],
        ),
    ],
)
async def test_what_each_caller_sees(
    query: str,
    scopes: set[str] | None,
    sent: str,
    data: dict[str, Any],
    denied: list[list[str | int]],
) -> None:
    async with abstract_gateway() as gateway:
        body = await gateway.body(query, scopes)
        assert [query for _, query in gateway.subgraphs.sent] == [sent]
        assert body["data"] == data
        assert paths(body) == denied


async def test_a_scalar_guarded_on_its_type_is_not_fetched_without_its_scope() -> None:
    async with abstract_gateway() as gateway:
        body = await gateway.body("{ code }", {"price:read"})
        assert body["data"] == {"code": None}
        assert paths(body) == [["code"]]
        assert gateway.subgraphs.sent == []
        granted = await gateway.body("{ code }", {"code:read"})
        assert granted == {"data": {"code": "c-42"}}
        assert gateway.subgraphs.sent == [("vault", "{code}")]


def plan_count(gateway: AbstractGateway) -> int:
    plans: PlanCache = gateway.app.state.pipeline.state.planner.__self__
    return len(plans)


async def test_one_plan_per_set_of_denied_requirements() -> None:
    query = "{ items { price ... on Film { rating } ... on Book { isbn } } }"
    async with abstract_gateway() as gateway:
        await gateway.body(query, None)
        await gateway.body(query, None)
        assert plan_count(gateway) == 1
        # A token denied the same scopes, plus the `@authenticated` field: another set.
        await gateway.body(query, {"unrelated:scope"})
        assert plan_count(gateway) == 2
        await gateway.body(query, {"film:read"})
        assert plan_count(gateway) == 3
        # Scopes the operation does not touch change nothing.
        await gateway.body(query, {"film:read", "code:read"})
        assert plan_count(gateway) == 3
        granted = await gateway.body(query, EVERY_SCOPE)
        assert "errors" not in granted, granted
        assert plan_count(gateway) == 4
        # Two tokens each denied one requirement, a different one: two plans, two answers.
        no_rating = await gateway.body(query, {"price:read", "film:read"})
        assert plan_count(gateway) == 5
        no_price = await gateway.body(query, {"film:read", "rating:read"})
        assert plan_count(gateway) == 6
        assert no_rating["data"]["items"][1] == {"price": 12, "rating": None}
        assert no_price["data"]["items"][1] == {"price": None, "rating": "R"}


async def type_names(gateway: AbstractGateway, scopes: set[str] | None) -> dict[str, set[str]]:
    """Each type the caller's schema shows, with its fields or enum values (or members)."""
    body = await gateway.body(
        "{ __schema { types { name fields { name } enumValues { name }"
        " possibleTypes { name } } } }",
        scopes,
    )
    shown: dict[str, set[str]] = {}
    for kind in body["data"]["__schema"]["types"]:
        if kind["name"].startswith("__"):
            continue
        members = kind["fields"] or kind["enumValues"] or kind["possibleTypes"] or []
        shown[kind["name"]] = {member["name"] for member in members}
        if kind["possibleTypes"] and kind["fields"]:  # an interface: fields, then implementations
            shown[kind["name"] + " implementations"] = {
                member["name"] for member in kind["possibleTypes"]
            }
    return shown


async def test_introspection_hides_guarded_types_and_fields_per_token() -> None:
    async with abstract_gateway(GatewayConfig(introspection=True)) as gateway:
        # No token: no Author (`@authenticated`), no Film nor Rating (scopes on the types), no
        # `price` on the interface or its members, no `Code` scalar nor the field returning it.
        assert await type_names(gateway, None) == {
            "Query": {"items", "results"},
            "Item": {"id", "name"},
            "Item implementations": {"Book"},
            "Book": {"id", "name", "similar"},
            "Result": {"Book"},
            "ID": set(),
            "String": set(),
            "Boolean": set(),
        }
        authenticated = await type_names(gateway, set())
        assert authenticated["Result"] == {"Book", "Author"}
        assert authenticated["Author"] == {"name"}
        assert authenticated["Book"] == {"id", "name", "isbn", "similar"}
        assert "Film" not in authenticated
        everything = await type_names(gateway, EVERY_SCOPE)
        assert everything["Query"] == {"items", "results", "code"}
        assert everything["Item"] == {"id", "name", "price"}
        assert everything["Item implementations"] == {"Book", "Film"}
        assert everything["Result"] == {"Book", "Film", "Author"}
        assert everything["Film"] == {"id", "name", "price", "rating"}
        assert everything["Rating"] == {"PG", "R"}
        assert "Code" in everything
