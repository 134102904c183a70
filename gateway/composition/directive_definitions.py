"""Checks a subgraph's own definitions of federation directives against the spec's shapes
(Apollo: a definition may narrow locations, but not drop a required argument or add one)."""

from __future__ import annotations

from graphql import DirectiveDefinitionNode

# Directive → (required arguments, every argument the spec defines).
SPEC_ARGUMENTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "key": (frozenset({"fields"}), frozenset({"fields", "resolvable"})),
    "requires": (frozenset({"fields"}), frozenset({"fields"})),
    "provides": (frozenset({"fields"}), frozenset({"fields"})),
    "external": (frozenset(), frozenset({"reason"})),
    "shareable": (frozenset(), frozenset()),
    "override": (frozenset({"from"}), frozenset({"from", "label"})),
    "tag": (frozenset({"name"}), frozenset({"name"})),
}


def check_federation_definition(meaning: str, node: DirectiveDefinitionNode) -> str | None:
    spec = SPEC_ARGUMENTS.get(meaning)
    if spec is None:
        return None
    required, known = spec
    arguments = [argument.name.value for argument in node.arguments or ()]
    for name in sorted(required - set(arguments)):
        return (
            f'Invalid definition for directive "@{node.name.value}": '
            f'missing required argument "{name}"'
        )
    for name in arguments:
        if name not in known:
            return (
                f'Invalid definition for directive "@{node.name.value}": '
                f'unknown/unsupported argument "{name}"'
            )
    return None
