"""Operations whose expanded size is out of proportion to their text are refused before
anything expands them; the parser's token and nesting limits apply while parsing."""

from __future__ import annotations

import tracemalloc

import pytest
from graphql import build_schema, parse

from gateway.operation import OperationError, OperationLimits, prepare
from gateway.operation.size import measure, text_nesting

SCHEMA = build_schema("type Query { hello: String, node: Node } type Node { node: Node, id: ID }")


def fan_out(levels: int) -> str:
    """`fragment Fi on Query { ...F(i-1) ...F(i-1) }`: 2^levels fields in a few hundred bytes."""
    fragments = ["fragment F0 on Query { hello }"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)]
    return f"query Fan {{ ...F{levels - 1} }}\n" + "\n".join(fragments)


def refusal(source: str, limits: OperationLimits | None = None) -> OperationError:
    with pytest.raises(OperationError) as raised:
        prepare(source, None, SCHEMA, limits or OperationLimits())
    return raised.value


def test_the_expanded_size_is_counted_without_expanding() -> None:
    document = parse(fan_out(40))
    operation, *fragments = document.definitions
    by_name = {fragment.name.value: fragment for fragment in fragments}  # type: ignore[attr-defined]

    size = measure(operation.selection_set, by_name)  # type: ignore[attr-defined]

    assert size.selections == 2**39
    assert size.nesting == 41


def test_an_exponential_fragment_fan_out_is_refused_by_height_before_it_expands() -> None:
    tracemalloc.start()
    try:
        error = refusal(fan_out(40))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert error.code == "MAX_HEIGHT_LIMIT"
    # Half a trillion fields were never built: the refusal cost about what parsing did.
    assert peak < 5_000_000


def test_a_fan_out_within_the_height_limit_is_prepared_and_its_size_recorded() -> None:
    prepared = prepare(fan_out(10), None, SCHEMA, OperationLimits())

    assert prepared.selections == 2**9


def test_the_height_limit_is_configurable() -> None:
    assert refusal(fan_out(5), OperationLimits(max_height=15)).code == "MAX_HEIGHT_LIMIT"
    assert prepare(fan_out(5), None, SCHEMA, OperationLimits(max_height=16)).selections == 16


def chain(count: int) -> str:
    """Each fragment nests one level more than the one spreading it."""
    fragments = [f"fragment N{i} on Node {{ node {{ ...N{i + 1} }} }}" for i in range(count)]
    fragments.append(f"fragment N{count} on Node {{ id }}")
    return "{ node { ...N0 } }\n" + "\n".join(fragments)


def test_nesting_through_a_chain_of_fragments_is_limited() -> None:
    # Each definition is shallow as written; expanded, the chain is 60 levels deep.
    limits = OperationLimits(parser_max_recursion=50)
    assert refusal(chain(60), limits).code == "MAX_DEPTH_LIMIT"
    assert prepare(chain(40), None, SCHEMA, OperationLimits()).selections == 42


def test_a_chain_deeper_than_python_can_recurse_is_refused_not_crashed() -> None:
    error = refusal(chain(1500), OperationLimits(parser_max_tokens=None))

    # graphql-core's validation gives up on it first; either way a coded refusal.
    assert error.code in {"MAX_DEPTH_LIMIT", "GRAPHQL_VALIDATION_FAILED"}


def test_the_token_limit_refuses_a_long_document_as_a_parse_failure() -> None:
    source = "{ " + " ".join(f"a{n}: hello" for n in range(5000)) + " }"

    error = refusal(source)

    assert error.code == "GRAPHQL_PARSE_FAILED"
    assert "15000 tokens" in error.errors[0].message


def test_the_token_limit_is_configurable() -> None:
    source = "{ " + " ".join(f"a{n}: hello" for n in range(5000)) + " }"

    prepared = prepare(source, None, SCHEMA, OperationLimits(parser_max_tokens=None))

    assert prepared.selections == 5000


@pytest.mark.parametrize(
    "source",
    [
        "{ node " + "{ node " * 150 + "{ id }" + " }" * 151,
        "{ hello(x: " + "[" * 150 + "1" + "]" * 150 + ") }",
    ],
)
def test_nesting_beyond_the_recursion_limit_is_a_parse_failure(source: str) -> None:
    assert text_nesting(parse(source)) > 100

    assert refusal(source).code == "GRAPHQL_PARSE_FAILED"


def test_nesting_deeper_than_the_parser_can_go_is_a_parse_failure_too() -> None:
    source = "{ node " + "{ node " * 2000 + "{ id }" + " }" * 2001

    assert refusal(source, OperationLimits(parser_max_tokens=None)).code == "GRAPHQL_PARSE_FAILED"
