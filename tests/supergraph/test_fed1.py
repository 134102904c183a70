"""Federation 1 supergraphs (`@core`, join v0.1), as `@apollo/federation` 0.38 composes them.

The fixture (`tests/fixtures/supergraphs/fed1/`) is composed by the real Fed 1 composer; beside
it, `extracted.json` is what Apollo's own loader reads out of it per subgraph, and
`supergraph_fed2.graphql` is the same subgraphs composed by Federation 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from graphql import lexicographic_sort_schema, print_schema

from gateway.supergraph import (
    CompositeType,
    EnumType,
    InputObjectType,
    ScalarType,
    Supergraph,
    SupergraphError,
    UnionType,
)

ROOT = Path(__file__).parents[2]
FED1 = ROOT / "tests" / "fixtures" / "supergraphs" / "fed1"
CONFORMANCE = ROOT / "tests" / "conformance" / "fed1_supergraphs"
SDL = (FED1 / "supergraph.graphql").read_text()


def load(sdl: str = SDL) -> Supergraph:
    return Supergraph.from_sdl(sdl)


def as_extracted(supergraph: Supergraph) -> dict[str, dict[str, Any]]:
    """Our model seen per subgraph, in the shape of Apollo's `extracted.json`."""
    extracted: dict[str, dict[str, Any]] = {graph: {} for graph in supergraph.graphs}
    for name, named in supergraph.types.items():
        for graph in named.graphs:
            entry: dict[str, Any]
            if isinstance(named, CompositeType):
                entry = {
                    "kind": "ObjectType" if named.kind == "object" else "InterfaceType",
                    "fields": {
                        field.name: "external" if field.graphs[graph].external else "resolvable"
                        for field in named.fields.values()
                        if graph in field.graphs
                    },
                    "implements": list(named.implements.get(graph, ())),
                    "keys": [key.fields.text for key in named.keys_in(graph)],
                }
            elif isinstance(named, UnionType):
                entry = {"kind": "UnionType", "members": list(named.members_by_graph[graph])}
            elif isinstance(named, InputObjectType):
                entry = {
                    "kind": "InputObjectType",
                    "fields": {
                        field.name: "resolvable"
                        for field in named.fields.values()
                        if graph in field.graphs
                    },
                }
            elif isinstance(named, EnumType):
                entry = {"kind": "EnumType"}
            else:
                assert isinstance(named, ScalarType)
                entry = {"kind": "ScalarType"}
            extracted[graph][name] = entry
    return extracted


@pytest.mark.parametrize(
    ("supergraph", "extracted"),
    [
        (FED1 / "supergraph.graphql", FED1 / "extracted.json"),
        (CONFORMANCE / "fed1_extends.graphql", CONFORMANCE / "fed1_extends.extracted.json"),
    ],
    ids=["fixture", "fed1_extends"],
)
def test_each_graph_holds_what_apollos_loader_extracts(supergraph: Path, extracted: Path) -> None:
    # Types, fields (resolvable or external), interfaces, keys and union members per subgraph,
    # exactly as @apollo/federation-internals reads them out of the same Fed 1 supergraph.
    assert as_extracted(load(supergraph.read_text())) == json.loads(extracted.read_text())


def test_graphs_and_join_version() -> None:
    graph = load()
    assert graph.join_version == (0, 1)
    assert list(graph.graphs) == ["accounts", "inventory", "products", "reviews"]
    assert graph.graphs["inventory"].enum_value == "INVENTORY"
    assert graph.graphs["inventory"].url == "http://inventory/graphql"


def test_keys_per_graph_from_join_type() -> None:
    product = load().composite("Product")
    assert product.is_entity
    assert [key.fields.text for key in product.keys_in("products")] == ["upc", "sku"]
    assert [key.fields.text for key in product.keys_in("inventory")] == ["upc"]
    assert [key.resolvable for key in product.keys_in("reviews")] == [True]
    assert product.keys_in("accounts") == ()
    assert not product.graphs["reviews"].extension


def test_key_fields_resolve_in_every_graph_with_that_key() -> None:
    graph = load()
    # The supergraph gives `upc` to products only; inventory and reviews key Product by it.
    assert graph.field("Product", "upc").resolving_graphs == ("inventory", "products", "reviews")
    assert graph.field("Product", "sku").resolving_graphs == ("products",)
    assert graph.field("User", "id").resolving_graphs == ("accounts", "reviews")


def test_fields_belong_to_the_owner_or_their_join_field_graph() -> None:
    graph = load()
    assert graph.field("Product", "name").resolving_graphs == ("products",)
    assert graph.field("Product", "inStock").resolving_graphs == ("inventory",)
    assert graph.field("Product", "reviews").resolving_graphs == ("reviews",)
    assert graph.field("Query", "me").resolving_graphs == ("accounts",)


def test_fields_without_join_field_go_to_the_owner() -> None:
    # Older Fed 1 composers left the owner's fields unmarked.
    sdl = SDL.replace("  name: String @join__field(graph: PRODUCTS)\n", "  name: String\n")
    sdl = sdl.replace("  name: String @join__field(graph: ACCOUNTS)\n", "  name: String\n")
    graph = load(sdl)
    assert graph.field("Product", "name").resolving_graphs == ("products",)
    assert graph.field("User", "name").resolving_graphs == ("accounts",)


def test_requires_and_provides_parse_and_mark_external_fields() -> None:
    graph = load()
    cost = graph.field("Product", "shippingCost").graphs["inventory"]
    assert cost.requires is not None
    assert cost.requires.field_names() == ("weight", "price")
    (_, price) = cost.requires.selections
    assert [nested.name for nested in price.selections] == ["amount"]  # type: ignore[union-attr]
    assert graph.field("Product", "weight").graphs["inventory"].external
    assert graph.field("Product", "price").graphs["inventory"].external
    author = graph.field("Review", "author").graphs["reviews"]
    assert author.provides is not None
    assert author.provides.field_names() == ("username",)
    assert graph.field("User", "username").graphs["reviews"].external
    assert graph.field("User", "username").resolving_graphs == ("accounts",)


def test_value_types_are_in_every_graph_that_reaches_them() -> None:
    graph = load()
    # Money: products returns it, inventory requires it; accounts never sees it.
    assert "accounts" not in graph.types["Money"].graphs
    assert {"inventory", "products"} <= set(graph.types["Money"].graphs)
    assert list(graph.types["ReviewFilter"].graphs) == ["reviews"]
    assert list(graph.types["Featured"].graphs) == ["products"]
    assert graph.possible_types("Featured", "products") == ("GiftCard", "Product")
    assert set(graph.possible_types("CatalogItem", "products")) == {"GiftCard", "Product"}


def test_entity_fields_resolve_where_the_fed2_supergraph_says() -> None:
    fed1 = load()
    fed2 = load((FED1 / "supergraph_fed2.graphql").read_text())
    for name in ("Product", "User", "Review", "Query"):
        ours = fed1.composite(name)
        theirs = fed2.composite(name)
        assert set(ours.fields) == set(theirs.fields)
        for field in ours.fields.values():
            assert field.resolving_graphs == theirs.fields[field.name].resolving_graphs, field.name
        for graph in theirs.graphs:
            assert [key.fields.selections for key in ours.keys_in(graph)] == [
                key.fields.selections for key in theirs.keys_in(graph)
            ]


def test_api_schema_is_the_fed2_one_without_core_elements() -> None:
    fed1 = load().api_schema
    printed = print_schema(fed1)
    assert "core__" not in printed
    assert "join__" not in printed
    assert "@core" not in printed
    fed2 = load((FED1 / "supergraph_fed2.graphql").read_text()).api_schema
    assert print_schema(lexicographic_sort_schema(fed1)) == print_schema(
        lexicographic_sort_schema(fed2)
    )


def test_core_as_renames_the_join_spec() -> None:
    renamed = SDL.replace(
        '"https://specs.apollo.dev/join/v0.1"', '"https://specs.apollo.dev/join/v0.1", as: "j"'
    ).replace("join__", "j__")
    assert renamed != SDL
    graph = load(renamed)
    assert graph.types == load().types
    assert "j__" not in print_schema(graph.api_schema)


def test_core_v0_1_is_read_too() -> None:
    older = SDL.replace("core/v0.2", "core/v0.1").replace(", for: EXECUTION", "")
    assert older != SDL
    assert load(older).types == load().types


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("@join__owner(graph: PRODUCTS)", "@join__owner(graph: NOPE)"), "unknown graph 'NOPE'"),
        (
            (
                "@join__owner(graph: PRODUCTS)",
                "@join__owner(graph: PRODUCTS) @join__owner(graph: REVIEWS)",
            ),
            "Product has more than one @join__owner",
        ),
        (('requires: "weight"', 'requires: "weight {"'), "invalid field set 'weight {'"),
        (
            (
                "inStock: Boolean @join__field(graph: INVENTORY)",
                "inStock: Boolean @join__field(graph: X)",
            ),
            "unknown graph 'X'",
        ),
        (
            (
                'core/v0.2"),\n  @core(feature: "https://specs.apollo.dev/join/v0.1"',
                'core/v0.2"),\n  @core(feature: "https://specs.apollo.dev/join/v0.1", as: "j"',
            ),
            "no enum j__Graph",
        ),
        (("join/v0.1", "join/1"), "cannot read the spec url"),
    ],
)
def test_bad_fed1_supergraphs_raise_invalid_supergraph(
    change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in SDL
    with pytest.raises(SupergraphError) as raised:
        load(SDL.replace(old, new))
    assert raised.value.code == "INVALID_SUPERGRAPH"
    assert message in raised.value.message


def test_core_features_beside_join_are_read_like_links() -> None:
    # Later Fed 1 composers also `@core` the inaccessible and tag specs.
    sdl = SDL.replace(
        '@core(feature: "https://specs.apollo.dev/join/v0.1", for: EXECUTION)',
        '@core(feature: "https://specs.apollo.dev/join/v0.1", for: EXECUTION),\n'
        '  @core(feature: "https://specs.apollo.dev/inaccessible/v0.1")',
    ).replace(
        "  rating: Int @join__field(graph: REVIEWS)",
        "  rating: Int @join__field(graph: REVIEWS) @inaccessible",
    )
    sdl += "\ndirective @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION\n"
    graph = load(sdl)
    assert graph.field("Review", "rating").inaccessible
    review = graph.api_schema.get_type("Review")
    assert review is not None
    assert "rating" not in review.fields  # type: ignore[attr-defined]
    assert "@inaccessible" not in print_schema(graph.api_schema)
