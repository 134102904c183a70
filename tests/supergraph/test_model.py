"""The typed supergraph model read from Apollo-composed fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.supergraph import CompositeType, EnumType, Supergraph, UnionType
from gateway.supergraph.model import override_label_enabled

SUPERGRAPHS = Path(__file__).parents[1] / "fixtures" / "supergraphs"


def load(feature: str) -> Supergraph:
    return Supergraph.from_sdl((SUPERGRAPHS / feature / "supergraph.graphql").read_text())


def test_graphs_by_subgraph_name() -> None:
    graphs = load("basics").graphs
    assert list(graphs) == ["accounts", "inventory", "products", "reviews"]
    assert graphs["reviews"].enum_value == "REVIEWS"
    assert graphs["reviews"].url == "http://reviews/graphql"


def test_keys_per_graph_are_parsed_field_sets() -> None:
    product = load("keys").composite("Product")
    assert [key.fields.text for key in product.keys_in("products")] == [
        "id",
        "sku { code vendor { id } }",
    ]
    (inventory_key,) = product.keys_in("inventory")
    assert inventory_key.fields.selections[0].name == "sku"
    warehouse = load("keys").composite("Warehouse")
    assert [key.resolvable for key in warehouse.keys_in("products")] == [False]


def test_requires_external_and_provides() -> None:
    graph = load("basics")
    shipping = graph.field("Product", "shippingEstimate")
    assert shipping.graphs["inventory"].requires is not None
    assert shipping.graphs["inventory"].requires.text == "price weight"
    assert graph.field("Product", "price").graphs["inventory"].external
    assert graph.field("Product", "price").resolving_graphs == ("products",)
    author = graph.field("Review", "author")
    assert author.graphs["reviews"].provides is not None
    assert author.graphs["reviews"].provides.field_names() == ("username",)


def test_override_and_progressive_override() -> None:
    graph = load("override")
    total = graph.field("Invoice", "total")
    assert total.graphs["billing"].override_from == "legacy"
    assert total.resolving_graphs == ("billing",)
    currency = graph.field("Invoice", "currency")
    assert currency.graphs["billing"].override_label == "percent(25)"
    # A percentage Router rolls per request is planned as off: the field stays where it was.
    assert currency.resolving_graphs == ("legacy",)
    # Router: percent(100) is always on, percent(0) never.
    assert graph.field("Invoice", "status").resolving_graphs == ("billing",)
    assert graph.field("Invoice", "dueDate").resolving_graphs == ("legacy",)


@pytest.mark.parametrize(
    ("label", "enabled"),
    [
        ("percent(100)", True),
        ("percent(100.0)", True),
        ("percent(0)", False),
        ("percent(25)", False),
        ("percent(99.9)", False),
        ("beta-badges", False),
    ],
)
def test_override_labels_follow_router(label: str, enabled: bool) -> None:
    assert override_label_enabled(label) is enabled


def test_interface_object_and_membership_per_graph() -> None:
    graph = load("interface_object")
    media = graph.composite("Media")
    assert media.is_interface_object_in("ratings")
    assert not media.is_interface_object_in("media")
    abstract = load("abstract")
    assert set(abstract.possible_types("Item", "promotions")) == {"Shoe", "Hat"}
    assert set(abstract.possible_types("Item", "catalog")) == {"Shoe", "Shirt"}
    union = abstract.types["SearchResult"]
    assert isinstance(union, UnionType)
    assert union.members_by_graph["promotions"] == ("Shoe", "Hat")


def test_enum_values_per_graph() -> None:
    status = load("enums_inputs").types["Status"]
    assert isinstance(status, EnumType)
    assert status.values["ARCHIVED"].graphs == ("a",)
    assert status.values["ACTIVE"].graphs == ("a", "b")


def test_inaccessible_is_kept_in_the_model() -> None:
    graph = load("inaccessible")
    assert graph.field("User", "secret").inaccessible
    user = graph.types["User"]
    assert isinstance(user, CompositeType)
    assert not user.inaccessible


def test_fields_without_join_field_belong_to_every_graph_of_their_type() -> None:
    # Federation 1 supergraphs describe all fields this way.
    sdl = FED1_STYLE
    graph = Supergraph.from_sdl(sdl)
    assert graph.field("Product", "name").resolving_graphs == ("products", "extra")
    assert graph.field("Query", "top").resolving_graphs == ("products",)


FED1_STYLE = """
schema @link(url: "https://specs.apollo.dev/link/v1.0")
       @link(url: "https://specs.apollo.dev/join/v0.2", for: EXECUTION) { query: Query }
directive @join__field(graph: join__Graph!, requires: join__FieldSet,
  provides: join__FieldSet, type: String, external: Boolean, override: String,
  usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false,
  resolvable: Boolean! = true) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import])
  repeatable on SCHEMA
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph {
  PRODUCTS @join__graph(name: "products", url: "http://products")
  EXTRA @join__graph(name: "extra", url: "http://extra")
}
type Query @join__type(graph: PRODUCTS) { top: [Product] }
type Product @join__type(graph: PRODUCTS, key: "id")
  @join__type(graph: EXTRA, key: "id", extension: true) {
  id: ID!
  name: String
}
"""


@pytest.mark.parametrize(
    ("sdl", "message"),
    [
        ("type Query { a: Int", "does not parse"),
        ("type Query { a: Int }", "does not @link the join spec"),
        (
            'schema @link(url: "https://specs.apollo.dev/join/v0.9") { query: Query }\n'
            "type Query { a: Int }",
            "join spec v0.9 is not supported",
        ),
        (
            FED1_STYLE.replace(
                "@join__type(graph: PRODUCTS) { top", "@join__type(graph: NOPE) { top"
            ),
            "names an unknown graph 'NOPE'",
        ),
        (
            FED1_STYLE.replace('key: "id")', 'key: "id {")', 1),
            "invalid field set 'id {'",
        ),
    ],
)
def test_bad_supergraphs_raise_invalid_supergraph(sdl: str, message: str) -> None:
    from gateway.supergraph import SupergraphError

    with pytest.raises(SupergraphError) as raised:
        Supergraph.from_sdl(sdl)
    assert raised.value.code == "INVALID_SUPERGRAPH"
    assert message in raised.value.message
