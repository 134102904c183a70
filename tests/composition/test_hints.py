"""Legal but suspicious inputs compose, with a coded hint."""

from __future__ import annotations

from gateway.composition import CompositionSuccess
from tests.composition.harness import compose_sdls

FED2 = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable"])\n'
)


def hint_codes(subgraphs: dict[str, str]) -> list[str]:
    result = compose_sdls(subgraphs)
    assert isinstance(result, CompositionSuccess), result
    return [hint.code for hint in result.hints]


def test_inconsistent_description() -> None:
    assert "INCONSISTENT_DESCRIPTION" in hint_codes(
        {
            "a": FED2 + '"One"\ntype T @shareable { x: Int }\ntype Query { a: T @shareable }',
            "b": FED2 + '"Two"\ntype T @shareable { x: Int }\ntype Query { a: T @shareable }',
        }
    )


def test_input_enum_value_missing_somewhere_is_dropped_with_a_hint() -> None:
    subgraphs = {
        "a": FED2 + "type Query { a(e: E): Int }\nenum E { ONE TWO }",
        "b": FED2 + "type Query { b(e: E): Int }\nenum E { ONE }",
    }
    assert "INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM" in hint_codes(subgraphs)
    result = compose_sdls(subgraphs)
    assert isinstance(result, CompositionSuccess)
    assert "TWO" not in result.supergraph_sdl


def test_output_enum_takes_the_union_of_values() -> None:
    result = compose_sdls(
        {
            "a": FED2 + "type Query { a: E }\nenum E { ONE }",
            "b": FED2 + "type Query { b: E }\nenum E { TWO }",
        }
    )
    assert isinstance(result, CompositionSuccess)
    assert "ONE @join__enumValue(graph: A)" in result.supergraph_sdl
    assert "TWO @join__enumValue(graph: B)" in result.supergraph_sdl
    assert "INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM" in [hint.code for hint in result.hints]


def test_optional_argument_missing_somewhere_is_dropped() -> None:
    result = compose_sdls(
        {
            "a": FED2 + "type Query { f(x: Int): Int @shareable }",
            "b": FED2 + "type Query { f: Int @shareable }",
        }
    )
    assert isinstance(result, CompositionSuccess)
    assert "f: Int" in result.supergraph_sdl
    assert "INCONSISTENT_ARGUMENT_PRESENCE" in [hint.code for hint in result.hints]


def test_output_field_takes_the_most_nullable_type() -> None:
    result = compose_sdls(
        {
            "a": FED2 + "type Query { f: Int! @shareable }",
            "b": FED2 + "type Query { f: Int @shareable }",
        }
    )
    assert isinstance(result, CompositionSuccess)
    assert (
        'f: Int @join__field(graph: A, type: "Int!") @join__field(graph: B, type: "Int")'
        in result.supergraph_sdl
    )
