# ruff: noqa: E501  -- test data: SDL one-liners read better unsplit
"""Subgraph sets around satisfiability: `@requires`, `@provides`, `@override` (progressive too),
`@interfaceObject`, abstract types whose implementations differ per subgraph.

Whether Apollo composes each, and the errors it reports, are recorded in
`tests/fixtures/composition/apollo_satisfiability.json` by `record_satisfiability.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.composition.error_cases import FED2


@dataclass(frozen=True)
class SatisfiabilityCase:
    name: str
    accepted: bool  # what Apollo does (checked against the recording)
    subgraphs: dict[str, str]


def case(name: str, accepted: bool, **subgraphs: str) -> SatisfiabilityCase:
    return SatisfiabilityCase(name, accepted, {key: FED2 + sdl for key, sdl in subgraphs.items()})


REQUIRES_CASES = [
    case(
        "requires fetched through a key",
        True,
        a='type Query { t: T }\ntype T @key(fields: "id") { id: ID! w: Int }',
        b='type T @key(fields: "id") { id: ID! w: Int @external f: Int @requires(fields: "w") }',
    ),
    case(
        "requires a field behind an unresolvable key",
        False,
        a='type Query { t: T }\ntype T @key(fields: "id", resolvable: false) { id: ID! w: Int }',
        b='type Query { b: T }\ntype T @key(fields: "id") { id: ID! w: Int @external f: Int @requires(fields: "w") }',
    ),
    case(
        "requires a field whose own requirement is fetchable",
        True,
        a='type Query { t: T }\ntype T @key(fields: "id") { id: ID! v: Int w: Int @external f: Int @requires(fields: "w") }',
        b='type T @key(fields: "id") { id: ID! v: Int @external w: Int @requires(fields: "v") }',
    ),
    case(
        "requires a field whose own requirement is unsatisfiable",
        False,
        a='type Query { t: T }\ntype T @key(fields: "id") { id: ID! w: Int @external f: Int @requires(fields: "w") }',
        b='type T @key(fields: "id") { id: ID! v: Int @external w: Int @requires(fields: "v") }',
        c='type Query { c: T }\ntype T @key(fields: "id", resolvable: false) { id: ID! v: Int }',
    ),
    case(
        "requires a nested field of a value type",
        True,
        a='type Query { t: T }\ntype T @key(fields: "id") { id: ID! size: Size }\ntype Size @shareable { w: Int h: Int }',
        b='type T @key(fields: "id") { id: ID! size: Size @external area: Int @requires(fields: "size { w h }") }\ntype Size @shareable { w: Int h: Int }',
    ),
]

PROVIDES_CASES = [
    case(
        "field reachable only through a provides",
        True,
        a='type Query { t: T @provides(fields: "x") }\ntype T @key(fields: "id", resolvable: false) { id: ID! x: Int @external }',
        b='type Query { b: T }\ntype T @key(fields: "id", resolvable: false) { id: ID! x: Int @shareable }',
    ),
    case(
        "provided field from a root field that does not provide it",
        False,
        a='type Query { t: T @provides(fields: "x") u: T }\ntype T @key(fields: "id", resolvable: false) { id: ID! x: Int @external }',
        b='type Query { b: T }\ntype T @key(fields: "id", resolvable: false) { id: ID! x: Int @shareable }',
    ),
    case(
        "nested provides reaches the inner field",
        True,
        a='type Query { t: T @provides(fields: "u { x }") }\ntype T @key(fields: "id", resolvable: false) { id: ID! u: U @external }\ntype U @key(fields: "id", resolvable: false) { id: ID! x: Int @external }',
        b='type Query { b: T }\ntype T @key(fields: "id", resolvable: false) { id: ID! u: U @shareable }\ntype U @key(fields: "id", resolvable: false) { id: ID! x: Int @shareable }',
    ),
    case(
        "nested provides leaves a sibling unreachable",
        False,
        a='type Query { t: T @provides(fields: "u { x }") }\ntype T @key(fields: "id", resolvable: false) { id: ID! u: U @external }\ntype U @key(fields: "id", resolvable: false) { id: ID! x: Int @external }',
        b='type Query { b: T }\ntype T @key(fields: "id", resolvable: false) { id: ID! u: U @shareable }\ntype U @key(fields: "id", resolvable: false) { id: ID! x: Int @shareable y: Int @shareable }',
    ),
]

OVERRIDE_CASES = [
    case(
        "override moves a field to a resolvable subgraph",
        True,
        a='type Query { t: T }\ntype T @key(fields: "id", resolvable: false) { id: ID! x: Int }',
        b='type Query { b: T }\ntype T @key(fields: "id") { id: ID! x: Int @override(from: "a") }',
    ),
    case(
        "override moves a field behind an unresolvable key",
        False,
        a='type Query { t: T }\ntype T @key(fields: "id") { id: ID! x: Int }',
        b='type Query { b: Int }\ntype T @key(fields: "id", resolvable: false) { id: ID! x: Int @override(from: "a") }',
    ),
    case(
        "progressive override with both sides reachable",
        True,
        a='type Query { t: T }\ntype T @key(fields: "id") { id: ID! x: Int }',
        b='type Query { b: T }\ntype T @key(fields: "id") { id: ID! x: Int @override(from: "a", label: "percent(50)") }',
    ),
    case(
        "progressive override unreachable with the label on",
        False,
        a='type Query { t: T }\ntype T @key(fields: "id") { id: ID! x: Int }',
        b='type Query { b: Int }\ntype T @key(fields: "id", resolvable: false) { id: ID! x: Int @override(from: "a", label: "percent(50)") }',
    ),
    case(
        "progressive override unreachable with the label off",
        False,
        a='type Query { t: T }\ntype T @key(fields: "id", resolvable: false) { id: ID! x: Int }',
        b='type Query { b: T }\ntype T @key(fields: "id") { id: ID! x: Int @override(from: "a", label: "percent(50)") }',
    ),
]

ABSTRACT_CASES = [
    case(
        "interface object adds a field to every implementation",
        True,
        a='type Query { i: I }\ninterface I @key(fields: "id") { id: ID! }\ntype A implements I @key(fields: "id") { id: ID! a: Int }',
        b='type Query { b: I }\ntype I @key(fields: "id") @interfaceObject { id: ID! extra: Int }',
    ),
    case(
        "interface object field behind an unresolvable key",
        False,
        a='type Query { i: I }\ninterface I @key(fields: "id") { id: ID! }\ntype A implements I @key(fields: "id") { id: ID! a: Int }',
        b='type Query { b: I }\ntype I @key(fields: "id", resolvable: false) @interfaceObject { id: ID! extra: Int }',
    ),
    case(
        "implementation missing in one subgraph drops the cast",
        True,
        a="type Query { i: I @shareable }\ninterface I { id: ID! }\ntype A implements I @shareable { id: ID! a: Int }\ntype B implements I @shareable { id: ID! b: Int }",
        b="type Query { i: I @shareable }\ninterface I { id: ID! }\ntype A implements I @shareable { id: ID! a: Int }",
    ),
    case(
        "implementation field only in the other subgraph",
        False,
        a="type Query { i: I }\ninterface I { id: ID! }\ntype A implements I @shareable { id: ID! a: Int }",
        b="type Query { j: I }\ninterface I { id: ID! }\ntype A implements I @shareable { id: ID! a: Int more: Int }",
    ),
]

MIXED_CASES = [
    case(
        "interface object whose real interface key is unresolvable",
        False,
        a='type Query { i: I }\ninterface I @key(fields: "id", resolvable: false) { id: ID! }\ntype A implements I @key(fields: "id") { id: ID! a: Int }',
        b='type Query { b: I }\ntype I @key(fields: "id") @interfaceObject { id: ID! extra: Int }',
    ),
    case(
        "union members differ per subgraph",
        True,
        a="type Query { u: U @shareable }\nunion U = A | B\ntype A @shareable { x: Int }\ntype B @shareable { y: Int }",
        b="type Query { u: U @shareable }\nunion U = A\ntype A @shareable { x: Int z: Int }",
    ),
    case(
        "two progressive labels both unreachable when on",
        False,
        a='type Query { t: T }\ntype T @key(fields: "id") { id: ID! x: Int y: Int }',
        b='type Query { b: Int }\ntype T @key(fields: "id", resolvable: false) { id: ID! x: Int @override(from: "a", label: "percent(10)") y: Int @override(from: "a", label: "percent(20)") }',
    ),
    case(
        "mutation result field behind an unresolvable key",
        False,
        a='type Query { a: Int }\ntype Mutation { m: T }\ntype T @key(fields: "id") { id: ID! }',
        b='type T @key(fields: "id", resolvable: false) { id: ID! x: Int }',
    ),
    case(
        "required field overridden behind an unresolvable key",
        False,
        a='type Query { t: T }\ntype T @key(fields: "id") { id: ID! w: Int }',
        b='type T @key(fields: "id") { id: ID! w: Int @external f: Int @requires(fields: "w") }',
        c='type T @key(fields: "id", resolvable: false) { id: ID! w: Int @override(from: "a") }',
    ),
    case(
        "provides through a fragment on an interface field",
        True,
        a='type Query { i: I @provides(fields: "... on A { x }") }\ninterface I { id: ID! }\ntype A implements I @key(fields: "id", resolvable: false) { id: ID! x: Int @external }',
        b='type Query { b: A }\ntype A @key(fields: "id", resolvable: false) { id: ID! x: Int @shareable }',
    ),
    case(
        "field reached through a chain of two keys",
        True,
        a='type Query { t: T }\ntype T @key(fields: "id") { id: ID! }',
        b='type T @key(fields: "id") @key(fields: "upc") { id: ID! upc: String! @shareable }',
        c='type T @key(fields: "upc") { upc: String! @shareable x: Int }',
    ),
]

SATISFIABILITY_CASES = [
    *REQUIRES_CASES,
    *PROVIDES_CASES,
    *OVERRIDE_CASES,
    *ABSTRACT_CASES,
    *MIXED_CASES,
]
