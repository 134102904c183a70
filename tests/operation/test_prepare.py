from __future__ import annotations

import hashlib
from functools import partial

import pytest
from graphql import build_schema, print_ast

from gateway.operation import OperationError, OperationLimits, prepare
from gateway.operation.prepared import PreparedOperation

SCHEMA = build_schema(
    """
    type Query {
      product(upc: String!): Product
      products: [Product!]!
      node(id: ID!): Node
    }
    type Mutation { addReview(body: String!): Review }
    interface Node { id: ID! }
    type Product implements Node {
      id: ID!
      upc: String!
      name: String
      reviews: [Review!]!
    }
    type Review implements Node { id: ID! body: String! product: Product }
    """
)

prepare_against_schema = partial(prepare, schema=SCHEMA)


def printed(operation: PreparedOperation) -> str:
    return print_ast(operation.selection_set)


def error_of(source: str, operation_name: str | None = None, **limits: int) -> OperationError:
    with pytest.raises(OperationError) as raised:
        prepare(source, operation_name, SCHEMA, OperationLimits(**limits))
    return raised.value


def test_a_query_is_prepared_with_its_kind_name_and_root_type() -> None:
    operation = prepare_against_schema("query Top { products { upc } }", None)

    assert (operation.kind, operation.name, operation.root_type) == ("query", "Top", "Query")
    assert printed(operation) == "{\n  products {\n    upc\n  }\n}"


def test_a_mutation_names_the_mutation_root() -> None:
    operation = prepare_against_schema('mutation { addReview(body: "ok") { id } }', None)

    assert (operation.kind, operation.root_type) == ("mutation", "Mutation")


def test_fragment_spreads_become_inline_fragments_with_their_type_condition() -> None:
    operation = prepare_against_schema(
        """
        query { node(id: "1") { ...Named id } }
        fragment Named on Product { name reviews { ...Body } }
        fragment Body on Review { body }
        """,
        None,
    )

    assert printed(operation) == (
        '{\n  node(id: "1") {\n    ... on Product {\n      name\n      reviews {\n'
        "        ... on Review {\n          body\n        }\n      }\n    }\n    id\n  }\n}"
    )


def test_literal_skip_and_include_are_applied_and_variable_ones_kept() -> None:
    operation = prepare_against_schema(
        """
        query ($withName: Boolean!) {
          products {
            upc @include(if: true)
            id @skip(if: true)
            name @include(if: $withName)
            ... on Product @skip(if: false) { reviews { body } }
          }
        }
        """,
        None,
    )

    assert printed(operation) == (
        "{\n  products {\n    upc\n    name @include(if: $withName)\n    ... on Product {\n"
        "      reviews {\n        body\n      }\n    }\n  }\n}"
    )


def test_aliases_are_kept() -> None:
    operation = prepare_against_schema('{ first: product(upc: "1") { title: name } }', None)

    assert printed(operation) == '{\n  first: product(upc: "1") {\n    title: name\n  }\n}'


def test_the_named_operation_is_chosen_among_several() -> None:
    source = "query A { products { upc } } query B { products { name } }"

    assert printed(prepare_against_schema(source, "B")) == "{\n  products {\n    name\n  }\n}"


def test_the_hash_is_of_the_document_text_and_the_operation_name() -> None:
    source = "query Q { products { upc name } } query R { products { upc } }"
    compact = prepare_against_schema(source, "Q")

    assert compact.hash == prepare_against_schema(source, "Q").hash
    assert len(compact.hash) == 64
    assert prepare_against_schema(source, "R").hash != compact.hash
    # The text is hashed, never a printed expansion of it (exponential in the text's size).
    assert prepare_against_schema(source.replace("upc name", "upc  name"), "Q").hash != (
        compact.hash
    )


def test_a_syntax_error_is_a_parse_failure_with_a_location() -> None:
    error = error_of("{ products { upc }")

    assert error.code == "GRAPHQL_PARSE_FAILED"
    assert error.errors[0].formatted == {
        "message": "Syntax Error: Expected Name, found <EOF>.",
        "locations": [{"line": 1, "column": 19}],
        "extensions": {"code": "GRAPHQL_PARSE_FAILED"},
    }


def test_an_unknown_field_is_a_validation_failure_with_every_error() -> None:
    error = error_of("{ products { zzz qqq } }")

    assert error.code == "GRAPHQL_VALIDATION_FAILED"
    assert [e.message for e in error.errors] == [
        "Cannot query field 'zzz' on type 'Product'.",
        "Cannot query field 'qqq' on type 'Product'.",
    ]
    assert all(e.extensions == {"code": "GRAPHQL_VALIDATION_FAILED"} for e in error.errors)


def test_an_unknown_operation_name_is_refused_with_the_router_code() -> None:
    error = error_of("query A { products { upc } }", "B")

    assert error.errors[0].formatted == {
        "message": 'Unknown operation named "B"',
        "extensions": {"code": "GRAPHQL_UNKNOWN_OPERATION_NAME"},
    }


def test_several_operations_need_a_name() -> None:
    error = error_of("query A { products { upc } } query B { products { id } }")

    assert error.code == "GRAPHQL_VALIDATION_FAILED"
    assert error.errors[0].message == (
        "Must provide operation name if query contains multiple operations."
    )


@pytest.mark.parametrize(
    ("limits", "code", "message"),
    [
        ({"max_depth": 2}, "MAX_DEPTH_LIMIT", "Maximum depth limit exceeded in this operation"),
        (
            {"max_aliases": 1},
            "MAX_ALIASES_LIMIT",
            "Maximum aliases limit exceeded in this operation",
        ),
        (
            {"max_root_fields": 1},
            "MAX_ROOT_FIELDS_LIMIT",
            "Maximum root fields limit exceeded in this operation",
        ),
    ],
)
def test_limits_refuse_operations_over_them(
    limits: dict[str, int], code: str, message: str
) -> None:
    source = '{ a: products { reviews { body } } b: product(upc: "1") { upc } }'

    error = error_of(source, **limits)

    assert error.errors[0].formatted == {"message": message, "extensions": {"code": code}}


def test_limits_count_fragments_where_they_are_spread() -> None:
    source = "{ products { ...F } } fragment F on Product { reviews { product { upc } } }"

    assert error_of(source, max_depth=3).code == "MAX_DEPTH_LIMIT"
    assert prepare(source, None, SCHEMA, OperationLimits(max_depth=4)).kind == "query"


def test_operations_at_the_limits_pass() -> None:
    source = '{ a: products { reviews { body } } b: product(upc: "1") { upc } }'
    limits = OperationLimits(max_depth=3, max_aliases=2, max_root_fields=2)

    assert prepare(source, None, SCHEMA, limits).root_type == "Query"


def test_introspection_is_allowed_unless_turned_off() -> None:
    source = "{ __schema { queryType { name } } }"
    assert prepare(source, None, SCHEMA).name is None
    with pytest.raises(OperationError) as refused:
        prepare(source, None, SCHEMA, introspection=False)
    assert refused.value.code == "GRAPHQL_VALIDATION_FAILED"


def test_the_hash_is_stable_across_releases() -> None:
    """Usage records are keyed by it (metrics subgraph): the same text must keep its hash."""
    assert prepare_against_schema("{ products { upc } }", None).hash == (
        hashlib.sha256(b"{ products { upc } }\0").hexdigest()
    )
    assert prepare_against_schema("query Q { products { upc } }", "Q").hash == (
        hashlib.sha256(b"query Q { products { upc } }\0Q").hexdigest()
    )


def test_a_document_of_fragments_alone_is_refused_by_validation() -> None:
    with pytest.raises(OperationError) as refused:
        prepare_against_schema("fragment F on Query { products { upc } }", None)
    assert refused.value.code == "GRAPHQL_VALIDATION_FAILED"
