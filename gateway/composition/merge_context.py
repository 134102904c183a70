"""State shared by the merging passes: the subgraphs, the supergraph being built, the report."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from graphql import DirectiveNode, NameNode, print_ast

from gateway.composition.errors import Report
from gateway.composition.merged_model import MergedSchema
from gateway.composition.subgraph_model import AppliedDirective, Subgraph, SubgraphField

# Supergraph order of merged directives on one element: the order Apollo's subgraph schemas
# hold their definitions in.
APPLIED_ORDER = (
    "deprecated",
    "specifiedBy",
    "oneOf",
    "tag",
    "authenticated",
    "requiresScopes",
    "policy",
    "cost",
    "listSize",
)


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def print_applied(applied: AppliedDirective) -> str:
    node = applied.node
    renamed = DirectiveNode(name=NameNode(value=applied.feature), arguments=node.arguments)
    return print_ast(renamed)


@dataclass
class PendingDirectives:
    """Applied directives merged at the end (Apollo's `appliedDirectivesToMerge`)."""

    sources: list[tuple[int, Sequence[AppliedDirective]]]
    target: list[str]


@dataclass
class MergeContext:
    subgraphs: Sequence[Subgraph]
    report: Report
    schema: MergedSchema
    enum_names: dict[str, str]  # subgraph name → join__Graph value
    enum_usages: dict[str, dict[str, str]] = field(
        default_factory=dict
    )  # enum → position → example
    pending: list[PendingDirectives] = field(default_factory=list)
    key_fields: dict[str, set[str]] = field(default_factory=dict)  # subgraph → coordinates
    provided_fields: dict[str, set[str]] = field(default_factory=dict)
    used_fields: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from gateway.composition.field_usage import (
            key_coordinates,
            provided_coordinates,
            required_coordinates,
        )

        for subgraph in self.subgraphs:
            keys = key_coordinates(subgraph)
            provided = provided_coordinates(subgraph)
            self.key_fields[subgraph.name] = keys
            self.provided_fields[subgraph.name] = provided
            self.used_fields[subgraph.name] = keys | provided | required_coordinates(subgraph)

    def is_provided(self, index: int, coordinate: str) -> bool:
        return coordinate in self.provided_fields[self.name(index)]

    def is_shareable(self, index: int, coordinate: str, field_: SubgraphField) -> bool:
        name = self.name(index)
        return (
            field_.shareable
            or coordinate in self.key_fields[name]
            or (field_.external and coordinate in self.provided_fields[name])
        )

    def graph(self, index: int) -> str:
        return self.enum_names[self.subgraphs[index].name]

    def name(self, index: int) -> str:
        return self.subgraphs[index].name

    def record_directives(
        self, sources: Sequence[tuple[int, Sequence[AppliedDirective]]], target: list[str]
    ) -> None:
        """`@inaccessible` goes on at once (before the join directives); the rest at the end."""
        inaccessible = [
            applied
            for _, directives in sources
            for applied in directives
            if applied.feature == "inaccessible"
        ]
        if inaccessible:
            target.append("@inaccessible")
        rest: list[tuple[int, Sequence[AppliedDirective]]] = [
            (index, [applied for applied in directives if applied.feature != "inaccessible"])
            for index, directives in sources
        ]
        self.pending.append(PendingDirectives(rest, target))

    def apply_pending(self) -> None:
        for pending in self.pending:
            features = {
                applied.feature for _, directives in pending.sources for applied in directives
            }
            for feature in sorted(features, key=APPLIED_ORDER.index):
                printed: list[str] = []
                for _, directives in pending.sources:
                    for applied in directives:
                        if applied.feature == feature:
                            text = print_applied(applied)
                            if text not in printed:
                                printed.append(text)
                if feature in ("tag",):
                    pending.target.extend(printed)
                elif feature in ("requiresScopes", "policy") and len(printed) > 1:
                    pending.target.append(merge_disjunctions(feature, pending.sources))
                else:
                    pending.target.append(printed[0])
        self.pending.clear()


def merge_disjunctions(
    feature: str, sources: Sequence[tuple[int, Sequence[AppliedDirective]]]
) -> str:
    """Several subgraphs' @requiresScopes/@policy on one element: all must hold (AND of ORs)."""
    from graphql import ListValueNode, StringValueNode

    argument = "scopes" if feature == "requiresScopes" else "policies"
    conjunctions: list[list[list[str]]] = []
    for _, directives in sources:
        for applied in directives:
            if applied.feature != feature:
                continue
            for node_argument in applied.node.arguments or ():
                value = node_argument.value
                if node_argument.name.value == argument and isinstance(value, ListValueNode):
                    conjunctions.append(
                        [
                            [
                                item.value
                                for item in inner.values
                                if isinstance(item, StringValueNode)
                            ]
                            for inner in value.values
                            if isinstance(inner, ListValueNode)
                        ]
                    )
    merged: list[list[str]] = conjunctions[0]
    for other in conjunctions[1:]:
        product = []
        for left in merged:
            for right in other:
                combined = list(dict.fromkeys([*left, *right]))
                if combined not in product:
                    product.append(combined)
        merged = product
    body = ", ".join("[" + ", ".join(quote(item) for item in inner) + "]" for inner in merged)
    return f"@{feature}({argument}: [{body}])"
