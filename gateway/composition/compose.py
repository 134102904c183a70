"""`compose()`: subgraph SDLs → a supergraph SDL in Apollo's format, or coded errors."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.composition.directive_composition import compose_directives
from gateway.composition.errors import (
    CompositionFailure,
    CompositionResult,
    CompositionSuccess,
    Report,
    SubgraphDefinition,
    SubgraphInvalid,
)
from gateway.composition.join_spec import graph_enum_names, join_version_for
from gateway.composition.merge_context import MergeContext
from gateway.composition.merge_types import merge_all_types
from gateway.composition.merged_model import MergedSchema
from gateway.composition.printer import print_supergraph
from gateway.composition.satisfiability import check_satisfiability
from gateway.composition.subgraph_model import Subgraph
from gateway.composition.subgraph_parser import parse_subgraph
from gateway.composition.subgraph_validation import validate_subgraph

ROOT_ORDER = ("query", "mutation", "subscription")


def _parse_all(definitions: Sequence[SubgraphDefinition], report: Report) -> list[Subgraph]:
    subgraphs = []
    seen: set[str] = set()
    for definition in sorted(definitions, key=lambda definition: definition.name):
        if definition.name in seen:
            report.error(
                "INVALID_SUBGRAPH_NAME",
                f'A subgraph named "{definition.name}" already exists',
                [definition.name],
            )
            continue
        seen.add(definition.name)
        try:
            subgraph = parse_subgraph(definition)
        except SubgraphInvalid as invalid:
            report.errors.extend(invalid.errors)
            continue
        problems = validate_subgraph(subgraph)
        report.errors.extend(problems)
        if not problems:
            subgraphs.append(subgraph)
    return subgraphs


def _features(subgraphs: Sequence[Subgraph]) -> list[str]:
    features: list[str] = []
    for subgraph in subgraphs:
        for feature in subgraph.features_used:
            if feature not in features:
                features.append(feature)
    return features


def compose(definitions: Sequence[SubgraphDefinition]) -> CompositionResult:
    report = Report()
    if not definitions:
        report.error("NO_QUERIES", "No subgraphs to compose")
        return CompositionFailure(tuple(report.errors))
    subgraphs = _parse_all(definitions, report)
    if report.errors:
        return CompositionFailure(tuple(report.errors), tuple(report.hints))
    roots = {
        operation: {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}[
            operation
        ]
        for operation in ROOT_ORDER
        if any(operation in subgraph.root_types for subgraph in subgraphs)
    }
    composed = compose_directives(subgraphs, report)
    if report.errors:
        return CompositionFailure(tuple(report.errors), tuple(report.hints))
    enum_names = graph_enum_names([subgraph.name for subgraph in subgraphs])
    schema = MergedSchema(
        join_version=join_version_for([subgraph.federation_version for subgraph in subgraphs]),
        graphs=[(enum_names[s.name], s.name, s.url) for s in subgraphs],
        features=_features(subgraphs),
        root_types=roots,
        custom_links=composed.links,
        custom_directives=composed.definitions,
    )
    context = MergeContext(subgraphs, report, schema, enum_names, composed.repeatable)
    merge_all_types(context)
    if "query" not in roots and not report.errors:
        report.error(
            "NO_QUERIES",
            "No queries found in any subgraph: a supergraph must have a query root type.",
        )
    if not report.errors:
        check_satisfiability(subgraphs, schema, report)
    if report.errors:
        return CompositionFailure(tuple(report.errors), tuple(report.hints))
    return CompositionSuccess(print_supergraph(schema), tuple(report.hints))
