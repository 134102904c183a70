"""The typed supergraph model read from Apollo-composed fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.supergraph import CompositeType, EnumType, Supergraph, UnionType

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
    # The parsed model has every label off: labelled fields stay where they were.
    assert currency.resolving_graphs == ("legacy",)
    assert graph.field("Invoice", "status").resolving_graphs == ("legacy",)
    assert graph.field("Invoice", "memo").resolving_graphs == ("legacy",)


def test_supergraph_lists_the_labels_it_uses() -> None:
    assert load("override").override_labels == {
        "percent(25)",
        "percent(100)",
        "percent(0)",
        "percent(50)",
        "beta-memos",
    }
    assert load("basics").override_labels == frozenset()


def test_a_view_with_labels_on_moves_exactly_their_fields() -> None:
    graph = load("override")
    view = graph.with_override_labels({"percent(50)", "beta-memos", "not-in-the-supergraph"})
    assert view.enabled_override_labels == {"percent(50)", "beta-memos"}
    assert view.field("Invoice", "discount").resolving_graphs == ("billing",)
    assert view.field("Invoice", "memo").resolving_graphs == ("billing",)
    assert view.field("Invoice", "currency").resolving_graphs == ("legacy",)
    assert view.field("Invoice", "total").resolving_graphs == ("billing",)
    # The parsed supergraph is unchanged, and turning the labels off again gives it back.
    assert graph.field("Invoice", "discount").resolving_graphs == ("legacy",)
    assert view.with_override_labels(set()).field("Invoice", "discount").resolving_graphs == (
        "legacy",
    )


def test_views_are_kept_and_unlabelled_supergraphs_are_their_own_view() -> None:
    graph = load("override")
    assert graph.with_override_labels({"percent(50)"}) is graph.with_override_labels(
        frozenset({"percent(50)"})
    )
    assert graph.with_override_labels({"not-in-the-supergraph"}) is graph
    basics = load("basics")
    assert basics.with_override_labels({"percent(50)"}) is basics


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
