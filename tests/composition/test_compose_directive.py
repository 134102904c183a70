"""`@composeDirective`: custom directives kept in the supergraph only when asked, and misuse.

The supergraph texts are checked against Apollo in `test_matches_apollo` (fixtures
`compose_directive_*`) and the error codes in `test_errors`; these cover the rest.
"""

from __future__ import annotations

from gateway.composition import CompositionFailure, CompositionSuccess
from tests.composition.error_cases import MY_DIRECTIVE, custom_spec
from tests.composition.harness import compose_sdls


def test_a_custom_directive_nobody_composes_is_stripped() -> None:
    sdl = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])'
        ' @link(url: "https://myspecs.dev/myDirective/v1.0", import: ["@myDirective"])\n'
        + MY_DIRECTIVE
        + 'type Query { a: Int @myDirective(label: "x") }'
    )
    result = compose_sdls({"a": sdl})
    assert isinstance(result, CompositionSuccess)
    assert "myDirective" not in result.supergraph_sdl


def test_a_composed_directive_keeps_its_link_definition_and_applications() -> None:
    sdl = "extend schema " + custom_spec("v1.0") + MY_DIRECTIVE
    result = compose_sdls({"a": sdl + 'type Query { a: Int @myDirective(label: "x") }'})
    assert isinstance(result, CompositionSuccess)
    text = result.supergraph_sdl
    assert '@link(url: "https://myspecs.dev/myDirective/v1.0", import: ["@myDirective"])' in text
    assert "directive @myDirective(label: String) on FIELD_DEFINITION" in text
    assert 'a: Int @myDirective(label: "x")' in text


def test_composing_tag_is_only_a_hint() -> None:
    sdl = "extend schema " + custom_spec("v1.0", compose="@tag") + "type Query { a: Int }"
    result = compose_sdls({"a": sdl})
    assert isinstance(result, CompositionSuccess)
    assert [hint.code for hint in result.hints] == ["DIRECTIVE_COMPOSITION_INFO"]


def test_a_composed_directive_renamed_in_one_subgraph_is_an_error() -> None:
    # Apollo's composition crashes on this one (an assertion inside its mismatch reporter),
    # so the case has no recorded Apollo code; we report the error Apollo means to raise.
    renamed = custom_spec(
        "",
        link='@link(url: "https://myspecs.dev/myDirective/v1.0", '
        'import: [{name: "@myDirective", as: "@mine"}])\n',
        compose="@mine",
    )
    result = compose_sdls(
        {
            "a": "extend schema " + custom_spec("v1.0") + MY_DIRECTIVE + "type Query { a: Int }",
            "b": "extend schema "
            + renamed
            + "directive @mine(label: String) on FIELD_DEFINITION\ntype Query { b: Int }",
        }
    )
    assert isinstance(result, CompositionFailure)
    [error] = result.errors
    assert error.code == "DIRECTIVE_COMPOSITION_ERROR"
    assert error.subgraphs == ("a", "b")
    assert "not named consistently" in error.message


def test_the_latest_minor_version_gives_the_definition() -> None:
    header = "extend schema " + custom_spec("v1.0")
    newer = "extend schema " + custom_spec("v1.3")
    result = compose_sdls(
        {
            "a": header + MY_DIRECTIVE + 'type Query { a: Int @myDirective(label: "a") }',
            "b": newer
            + "directive @myDirective(label: String, size: Int) on FIELD_DEFINITION | OBJECT\n"
            + 'type Query { b: Int @myDirective(label: "b") }',
        }
    )
    assert isinstance(result, CompositionSuccess)
    text = result.supergraph_sdl
    assert '@link(url: "https://myspecs.dev/myDirective/v1.3", import: ["@myDirective"])' in text
    assert "directive @myDirective(label: String, size: Int) on FIELD_DEFINITION | OBJECT" in text
