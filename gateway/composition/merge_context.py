"""State shared by the merging passes: the subgraphs, the supergraph being built, the report."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from graphql import DirectiveNode, NameNode, print_ast

from gateway.composition.errors import Report
from gateway.composition.merged_model import MergedSchema
from gateway.composition.subgraph_model import (
    AppliedDirective,
    Subgraph,
    SubgraphField,
    SubgraphType,
)

ACCESS_CONTROL = ("authenticated", "requiresScopes", "policy")


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
    # `@composeDirective` directives kept in the supergraph → whether they are repeatable.
    custom_repeatable: dict[str, bool] = field(default_factory=dict)
    enum_usages: dict[str, dict[str, str]] = field(
        default_factory=dict
    )  # enum → position → example
    pending: list[PendingDirectives] = field(default_factory=list)
    key_fields: dict[str, set[str]] = field(default_factory=dict)  # subgraph → coordinates
    provided_fields: dict[str, set[str]] = field(default_factory=dict)
    used_fields: dict[str, set[str]] = field(default_factory=dict)
    # type name → (subgraph index, its type), in subgraph order; and interface name → the
    # subgraphs with an `@interfaceObject` of that name. Merging asks per type, so it looks
    # here instead of asking every subgraph (which grows with subgraphs times types).
    types_by_name: dict[str, list[tuple[int, SubgraphType]]] = field(default_factory=dict)
    interface_objects: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for index, subgraph in enumerate(self.subgraphs):
            for type_ in subgraph.types.values():
                self.types_by_name.setdefault(type_.name, []).append((index, type_))
                if type_.interface_object:
                    self.interface_objects.setdefault(type_.name, []).append(index)
        from gateway.composition.field_usage import (
            interface_coordinates,
            key_coordinates,
            provided_coordinates,
            required_coordinates,
        )

        for subgraph in self.subgraphs:
            keys = key_coordinates(subgraph)
            provided = provided_coordinates(subgraph)
            self.key_fields[subgraph.name] = keys
            self.provided_fields[subgraph.name] = provided
            self.used_fields[subgraph.name] = (
                keys | provided | required_coordinates(subgraph) | interface_coordinates(subgraph)
            )

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
            features: list[str] = []
            for _, directives in pending.sources:
                for applied in directives:
                    if applied.feature not in features:
                        features.append(applied.feature)
            # Apollo merges the access-control directives in a pass of their own, before the
            # others, which keep the order they first appear in (subgraph by subgraph).
            features = [
                *(feature for feature in ACCESS_CONTROL if feature in features),
                *(feature for feature in features if feature not in ACCESS_CONTROL),
            ]
            for feature in features:
                printed: list[str] = []
                for _, directives in pending.sources:
                    for applied in directives:
                        if applied.feature == feature:
                            text = print_applied(applied)
                            if text not in printed:
                                printed.append(text)
                if feature in ("tag",) or self.custom_repeatable.get(feature, False):
                    pending.target.extend(printed)
                elif feature in self.custom_repeatable:
                    pending.target.append(self.most_common(feature, pending.sources))
                elif feature in ("requiresScopes", "policy") and len(printed) > 1:
                    pending.target.append(merge_disjunctions(feature, pending.sources))
                else:
                    pending.target.append(printed[0])
        self.pending.clear()

    def most_common(
        self, feature: str, sources: Sequence[tuple[int, Sequence[AppliedDirective]]]
    ) -> str:
        """A non-repeatable composed directive applied differently by several subgraphs: the
        application most subgraphs agree on wins (the first one on a tie), as in Apollo."""
        counts: dict[str, int] = {}
        for _, directives in sources:
            for applied in directives:
                if applied.feature == feature:
                    text = print_applied(applied)
                    counts[text] = counts.get(text, 0) + 1
                    break
        chosen = max(counts, key=lambda text: counts[text])
        if len(counts) > 1:
            others = ", ".join(text for text in counts if text != chosen)
            self.report.hint(
                "INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS",
                f"Non-repeatable directive @{feature} is applied in multiple subgraphs but with "
                f"incompatible arguments. The supergraph will use {chosen}, but found {others}.",
            )
        return chosen


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
