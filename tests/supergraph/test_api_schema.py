"""The API schema clients see."""

from __future__ import annotations

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, print_schema

from tests.supergraph.test_model import load


def test_no_join_or_link_elements_remain() -> None:
    printed = print_schema(load("basics").api_schema)
    assert "join__" not in printed
    assert "link__" not in printed
    assert "@link" not in printed
    assert "directive @join" not in printed


def test_inaccessible_elements_are_removed() -> None:
    schema = load("inaccessible").api_schema
    query = schema.query_type
    assert query is not None
    assert "internal" not in query.fields
    user = schema.get_type("User")
    assert isinstance(user, GraphQLObjectType)
    assert set(user.fields) == {"id", "name", "role", "search", "posts"}
    role = schema.get_type("Role")
    assert isinstance(role, GraphQLEnumType)
    assert set(role.values) == {"ADMIN", "MEMBER"}
    search_filter = schema.get_type("Filter")
    assert isinstance(search_filter, GraphQLInputObjectType)
    assert set(search_filter.fields) == {"text"}
    assert schema.get_type("Internal") is None


def test_descriptions_and_deprecations_are_kept() -> None:
    from gateway.supergraph import Supergraph

    sdl = (load("basics").sdl).replace(
        "  name: String @join__field(graph: ACCOUNTS)",
        '  "The display name."\n'
        '  name: String @join__field(graph: ACCOUNTS) @deprecated(reason: "use username")',
    )
    user = Supergraph.from_sdl(sdl).api_schema.get_type("User")
    assert isinstance(user, GraphQLObjectType)
    assert user.fields["name"].description == "The display name."
    assert user.fields["name"].deprecation_reason == "use username"
