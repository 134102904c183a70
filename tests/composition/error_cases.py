# ruff: noqa: E501  -- test data: SDL one-liners read better unsplit
"""Broken subgraph sets, one per composition error code, with where the error must point.

Each case's code was confirmed with Apollo's composition: `tests/fixtures/composition/
record_errors.py` runs them through `scripts/apollo/compose.mjs` into `apollo_errors.json`.
"""

from __future__ import annotations

from dataclasses import dataclass

IMPORTS = '"@key", "@shareable", "@external", "@requires", "@provides", "@override", "@interfaceObject", "@inaccessible"'
FED2 = (
    f'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: [{IMPORTS}])\n'
)


@dataclass(frozen=True)
class ErrorCase:
    name: str
    code: str
    subgraphs: dict[str, str]
    expected_subgraphs: tuple[str, ...]  # at least these are named
    coordinate: str | None


def case(
    name: str, code: str, subgraphs: dict[str, str], where: tuple[str, ...], coordinate: str | None
) -> ErrorCase:
    return ErrorCase(name, code, subgraphs, where, coordinate)


QUERY_A = FED2 + "type Query { a: Int }"


def custom_spec(version: str, link: str = "", compose: str = "@myDirective") -> str:
    """A Fed 2 header linking a custom spec and asking to compose one of its directives."""
    return (
        '@link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@composeDirective", "@tag"])\n'
        + (
            link
            or f'@link(url: "https://myspecs.dev/myDirective/{version}", import: ["@myDirective"])\n'
        )
        + f'@composeDirective(name: "{compose}")\n'
    )


MY_DIRECTIVE = "directive @myDirective(label: String) on FIELD_DEFINITION\n"

COMPOSE_DIRECTIVE_CASES = [
    case(
        "composing a federation directive",
        "DIRECTIVE_COMPOSITION_ERROR",
        {
            "a": "extend schema "
            + custom_spec("v1.0", compose="@key")
            + MY_DIRECTIVE
            + "type Query { a: Int }"
        },
        ("a",),
        "schema",
    ),
    case(
        "composing a directive of no linked spec",
        "DIRECTIVE_COMPOSITION_ERROR",
        {
            "a": "extend schema "
            + custom_spec("v1.0", compose="@unlinked")
            + MY_DIRECTIVE
            + "directive @unlinked on FIELD_DEFINITION\ntype Query { a: Int @unlinked }"
        },
        ("a",),
        "schema",
    ),
    case(
        "composing an undefined directive",
        "DIRECTIVE_COMPOSITION_ERROR",
        {"a": "extend schema " + custom_spec("v1.0") + "type Query { a: Int }"},
        ("a",),
        "schema",
    ),
    case(
        "composing a name without @",
        "DIRECTIVE_COMPOSITION_ERROR",
        {
            "a": "extend schema "
            + custom_spec("v1.0", compose="myDirective")
            + MY_DIRECTIVE
            + "type Query { a: Int }"
        },
        ("a",),
        "schema",
    ),
    case(
        "composed spec with different major versions",
        "DIRECTIVE_COMPOSITION_ERROR",
        {
            "a": "extend schema "
            + custom_spec("v1.0")
            + MY_DIRECTIVE
            + 'type Query { a: Int @myDirective(label: "a") }',
            "b": "extend schema "
            + custom_spec("v2.0")
            + MY_DIRECTIVE
            + 'type Query { b: Int @myDirective(label: "b") }',
        },
        ("a", "b"),
        "schema",
    ),
]

ERROR_CASES = [
    case("syntax error", "INVALID_GRAPHQL", {"a": FED2 + "type Query { a: }"}, ("a",), None),
    case(
        "unknown type",
        "INVALID_GRAPHQL",
        {"a": FED2 + "type Query { a: Missing }"},
        ("a",),
        "Query.a",
    ),
    case(
        "duplicate type",
        "INVALID_GRAPHQL",
        {"a": FED2 + "type Query { a: Int }\ntype T { x: Int }\ntype T { y: Int }"},
        ("a",),
        "T",
    ),
    case(
        "field type mismatch",
        "FIELD_TYPE_MISMATCH",
        {
            "a": QUERY_A
            + "\ntype T @shareable { x: Int }\ntype Query { t: T }".replace(
                "type Query { t: T }", "extend type Query { t: T @shareable }"
            ),
            "b": FED2 + "type Query { b: Int }\ntype T @shareable { x: String }",
        },
        ("a", "b"),
        "T.x",
    ),
    case(
        "argument type mismatch",
        "FIELD_ARGUMENT_TYPE_MISMATCH",
        {
            "a": FED2 + "type Query { f(x: Int): Int @shareable }",
            "b": FED2 + "type Query { f(x: String): Int @shareable }",
        },
        ("a", "b"),
        "Query.f(x:)",
    ),
    case(
        "root field in two subgraphs",
        "INVALID_FIELD_SHARING",
        {"a": FED2 + "type Query { same: Int }", "b": FED2 + "type Query { same: Int }"},
        ("a", "b"),
        "Query.same",
    ),
    case(
        "entity field in two subgraphs",
        "INVALID_FIELD_SHARING",
        {
            "a": FED2 + 'type Query { u: U }\ntype U @key(fields: "id") { id: ID! name: String }',
            "b": FED2 + 'type U @key(fields: "id") { id: ID! name: String @shareable }',
        },
        ("a", "b"),
        "U.name",
    ),
    case(
        "key selects a union",
        "KEY_FIELDS_SELECT_INVALID_TYPE",
        {
            "a": FED2
            + 'type Query { u: U }\ntype V { id: ID! }\nunion W = V\ntype U @key(fields: "w { ... on V { id } }") { w: W! }'
        },
        ("a",),
        "U",
    ),
    case(
        "key selects an interface",
        "KEY_FIELDS_SELECT_INVALID_TYPE",
        {
            "a": FED2
            + 'type Query { u: U }\ninterface I { id: ID! }\ntype U @key(fields: "i { id }") { i: I! }'
        },
        ("a",),
        "U",
    ),
    case(
        "key names an unknown field",
        "KEY_INVALID_FIELDS",
        {"a": FED2 + 'type Query { u: U }\ntype U @key(fields: "missing") { id: ID! }'},
        ("a",),
        "U",
    ),
    case(
        "key does not parse",
        "KEY_INVALID_FIELDS",
        {"a": FED2 + 'type Query { u: U }\ntype U @key(fields: "id {") { id: ID! }'},
        ("a",),
        "U",
    ),
    case(
        "key selects an object without subfields",
        "KEY_INVALID_FIELDS",
        {"a": FED2 + 'type Query { u: U }\ntype U @key(fields: "v") { v: V! }\ntype V { id: ID! }'},
        ("a",),
        "U",
    ),
    case(
        "key field with arguments",
        "KEY_FIELDS_HAS_ARGS",
        {"a": FED2 + 'type Query { u: U }\ntype U @key(fields: "id") { id(x: Int): ID! }'},
        ("a",),
        "U",
    ),
    case(
        "requires names an unknown field",
        "REQUIRES_INVALID_FIELDS",
        {
            "a": FED2
            + 'type Query { u: U }\ntype U @key(fields: "id") { id: ID! x: Int @requires(fields: "missing") }'
        },
        ("a",),
        "U.x",
    ),
    case(
        "requires a local field",
        "REQUIRES_FIELDS_MISSING_EXTERNAL",
        {
            "a": FED2
            + 'type Query { u: U }\ntype U @key(fields: "id") { id: ID! w: Int x: Int @requires(fields: "w") }'
        },
        ("a",),
        "U.x",
    ),
    case(
        "provides names an unknown field",
        "PROVIDES_INVALID_FIELDS",
        {
            "a": FED2
            + 'type Query { u: U @provides(fields: "missing") }\ntype U @key(fields: "id") { id: ID! }'
        },
        ("a",),
        "Query.u",
    ),
    case(
        "provides a local field",
        "PROVIDES_FIELDS_MISSING_EXTERNAL",
        {
            "a": FED2
            + 'type Query { u: U @provides(fields: "name") }\ntype U @key(fields: "id") { id: ID! name: String }'
        },
        ("a",),
        "Query.u",
    ),
    case(
        "provides on a scalar field",
        "PROVIDES_ON_NON_OBJECT_FIELD",
        {"a": FED2 + 'type Query { n: Int @provides(fields: "x") }'},
        ("a",),
        "Query.n",
    ),
    case(
        "external everywhere",
        "EXTERNAL_MISSING_ON_BASE",
        {
            "a": FED2
            + 'type Query { u: U }\ntype U @key(fields: "id") { id: ID! w: Int @external x: Int @requires(fields: "w") }'
        },
        ("a",),
        "U.w",
    ),
    case(
        "external with another type",
        "EXTERNAL_TYPE_MISMATCH",
        {
            "a": FED2
            + 'type Query { u: U }\ntype U @key(fields: "id") { id: ID! w: String @external x: Int @requires(fields: "w") }',
            "b": FED2 + 'type U @key(fields: "id") { id: ID! w: Int }',
        },
        ("a",),
        "U.w",
    ),
    case(
        "external not used",
        "EXTERNAL_UNUSED",
        {
            "a": FED2
            + 'type Query { u: U }\ntype U @key(fields: "id") { id: ID! w: Int @external }',
            "b": FED2 + 'type U @key(fields: "id") { id: ID! w: Int }',
        },
        ("a",),
        "U.w",
    ),
    case(
        "external on an interface field",
        "EXTERNAL_ON_INTERFACE",
        {
            "a": FED2
            + "type Query { i: I }\ninterface I { x: Int @external }\ntype T implements I { x: Int }"
        },
        ("a",),
        "I.x",
    ),
    case(
        "override from a subgraph that overrides too",
        "OVERRIDE_SOURCE_HAS_OVERRIDE",
        {
            "a": FED2
            + 'type Query { u: U }\ntype U @key(fields: "id") { id: ID! x: Int @override(from: "b") }',
            "b": FED2 + 'type U @key(fields: "id") { id: ID! x: Int @override(from: "a") }',
        },
        ("a", "b"),
        "U.x",
    ),
    case(
        "override from self",
        "OVERRIDE_FROM_SELF_ERROR",
        {
            "a": FED2
            + 'type Query { u: U }\ntype U @key(fields: "id") { id: ID! x: Int @override(from: "a") }'
        },
        ("a",),
        "U.x",
    ),
    case(
        "override with a bad label",
        "OVERRIDE_LABEL_INVALID",
        {
            "a": FED2
            + 'type Query { u: U }\ntype U @key(fields: "id") { id: ID! x: Int @override(from: "b", label: "1bad") }',
            "b": FED2 + 'type U @key(fields: "id") { id: ID! x: Int }',
        },
        ("a",),
        "U.x",
    ),
    case(
        "override of a field that requires",
        "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
        {
            "a": FED2
            + 'type Query { u: U }\ntype U @key(fields: "id") { id: ID! x: Int @override(from: "b") }',
            "b": FED2
            + 'type U @key(fields: "id") { id: ID! w: Int @external x: Int @requires(fields: "w") }\n'
            "type Query { w: W }\ntype W { u: U }".replace(
                "type Query { w: W }\ntype W { u: U }", ""
            ),
            "c": FED2 + 'type U @key(fields: "id") { id: ID! w: Int }',
        },
        ("a", "b"),
        "U.x",
    ),
    case(
        "enum in both positions with different values",
        "ENUM_VALUE_MISMATCH",
        {
            "a": FED2 + "type Query { e(x: E): E @shareable }\nenum E { ONE TWO }",
            "b": FED2 + "type Query { e(x: E): E @shareable }\nenum E { ONE }",
        },
        ("b",),
        "E.TWO",
    ),
    case(
        "input enum without common values",
        "EMPTY_MERGED_ENUM_TYPE",
        {
            "a": FED2 + "type Query { a(x: E): Int }\nenum E { ONE }",
            "b": FED2 + "type Query { b(x: E): Int }\nenum E { TWO }",
        },
        ("a", "b"),
        "E",
    ),
    case(
        "input without common fields",
        "EMPTY_MERGED_INPUT_TYPE",
        {
            "a": FED2 + "type Query { a(x: In): Int }\ninput In { one: Int }",
            "b": FED2 + "type Query { b(x: In): Int }\ninput In { two: Int }",
        },
        ("a", "b"),
        "In",
    ),
    case(
        "required argument missing elsewhere",
        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
        {
            "a": FED2 + "type Query { f(x: Int!): Int @shareable }",
            "b": FED2 + "type Query { f: Int @shareable }",
        },
        ("a", "b"),
        "Query.f(x:)",
    ),
    case(
        "required input field missing elsewhere",
        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
        {
            "a": FED2 + "type Query { a(x: In): Int }\ninput In { one: Int two: Int! }",
            "b": FED2 + "type Query { b(x: In): Int }\ninput In { one: Int }",
        },
        ("a", "b"),
        "In.two",
    ),
    case(
        "argument defaults differ",
        "FIELD_ARGUMENT_DEFAULT_MISMATCH",
        {
            "a": FED2 + "type Query { f(x: Int = 1): Int @shareable }",
            "b": FED2 + "type Query { f(x: Int = 2): Int @shareable }",
        },
        ("a", "b"),
        "Query.f(x:)",
    ),
    case(
        "input field defaults differ",
        "INPUT_FIELD_DEFAULT_MISMATCH",
        {
            "a": FED2 + "type Query { a(x: In): Int }\ninput In { one: Int = 1 }",
            "b": FED2 + "type Query { b(x: In): Int }\ninput In { one: Int = 2 }",
        },
        ("a", "b"),
        "In.one",
    ),
    case(
        "type kinds differ",
        "TYPE_KIND_MISMATCH",
        {
            "a": FED2 + "type Query { a: T }\ntype T { x: Int }",
            "b": FED2 + "type Query { b: T }\ninterface T { x: Int }",
        },
        ("a", "b"),
        "T",
    ),
    case(
        "interface object without interface",
        "INTERFACE_OBJECT_USAGE_ERROR",
        {"a": FED2 + 'type Query { n: N }\ntype N @key(fields: "id") @interfaceObject { id: ID! }'},
        ("a",),
        "N",
    ),
    case(
        "interface object with implementations",
        "INTERFACE_OBJECT_USAGE_ERROR",
        {
            "a": FED2
            + 'type Query { n: N }\ninterface N @key(fields: "id") { id: ID! }\ntype X implements N @key(fields: "id") { id: ID! }',
            "b": FED2
            + 'type N @key(fields: "id") @interfaceObject { id: ID! more: Int }\ntype X @key(fields: "id") { id: ID! }',
        },
        ("b",),
        "N",
    ),
    case(
        "interface key without implementations",
        "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
        {
            "a": FED2
            + 'type Query { n: N }\ninterface N @key(fields: "id") { id: ID! }\ntype X implements N @key(fields: "id") { id: ID! }',
            "b": FED2
            + 'interface N @key(fields: "id") { id: ID! }\ntype Y implements N @key(fields: "id") { id: ID! }',
        },
        ("a",),
        "N",
    ),
    case(
        "query root renamed over an existing Query",
        "ROOT_QUERY_USED",
        {"a": FED2 + "schema { query: Root }\ntype Root { a: Int }\ntype Query { b: Int }"},
        ("a",),
        "Query",
    ),
    case(
        "mutation root renamed over an existing Mutation",
        "ROOT_MUTATION_USED",
        {
            "a": FED2
            + "schema { query: Query mutation: M }\ntype Query { a: Int }\ntype M { a: Int }\ntype Mutation { b: Int }"
        },
        ("a",),
        "Mutation",
    ),
    case("reserved subgraph name", "INVALID_SUBGRAPH_NAME", {"_": QUERY_A}, ("_",), None),
    case(
        "federation directive redefined wrongly",
        "DIRECTIVE_DEFINITION_INVALID",
        {
            "a": FED2
            + "directive @key(fieldz: String!) repeatable on OBJECT | INTERFACE\ntype Query { u: U }\ntype U { id: ID! }"
        },
        ("a",),
        "@key",
    ),
    case(
        "unknown federation version",
        "UNKNOWN_FEDERATION_LINK_VERSION",
        {
            "a": 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.99", import: ["@key"])\ntype Query { a: Int }'
        },
        ("a",),
        "schema",
    ),
    case(
        "value type field only in another subgraph",
        "SATISFIABILITY_ERROR",
        {
            "a": FED2 + "type Query { t: T }\ntype T @shareable { x: Int }",
            "b": FED2 + "type Query { b: Int }\ntype T @shareable { x: Int y: Int }",
        },
        ("a",),
        "T.y",
    ),
    case(
        "entity field behind an unresolvable key",
        "SATISFIABILITY_ERROR",
        {
            "a": FED2 + 'type Query { u: U }\ntype U @key(fields: "id") { id: ID! }',
            "b": FED2 + 'type U @key(fields: "id", resolvable: false) { id: ID! extra: Int }',
        },
        ("a",),
        "U.extra",
    ),
    case(
        "entity field needs a key the subgraph cannot give",
        "SATISFIABILITY_ERROR",
        {
            "a": FED2
            + "type Query { u: U }\ntype U { name: String @shareable }".replace(
                "type U { name: String @shareable }", 'type U @key(fields: "name") { name: String }'
            ),
            "b": FED2 + 'type U @key(fields: "id") { id: ID! extra: Int }',
        },
        ("a",),
        "U.extra",
    ),
    *COMPOSE_DIRECTIVE_CASES,
]
