"""`@composeDirective`: which custom directives the supergraph keeps, and their definitions.

Apollo's `ComposeDirectiveManager`: a subgraph that `@link`s a spec of its own, defines one of
its directives and marks it `@composeDirective(name: "@d")` gets `@d` into the supergraph: the
spec's `@link` on the supergraph schema, one definition and the applications of the subgraphs
that compose it. The definition is the one of the subgraph linking the spec's latest minor
version (majors must agree between composing subgraphs). Misuse is a
`DIRECTIVE_COMPOSITION_ERROR` pointing at the schema, where `@composeDirective` is applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from graphql import DirectiveDefinitionNode, print_ast

from gateway.composition.errors import Report
from gateway.composition.linked_features import DISALLOWED_IDENTITIES, LinkedFeature
from gateway.composition.merge_context import quote
from gateway.composition.merged_model import MergedArgument
from gateway.composition.printer import description, print_arguments
from gateway.composition.subgraph_model import Subgraph

CODE = "DIRECTIVE_COMPOSITION_ERROR"
# Federation directives composed without being asked: asking is only worth a hint.
COMPOSED_BY_DEFAULT = frozenset(
    {"tag", "inaccessible", "authenticated", "requiresScopes", "policy", "context"}
)


@dataclass(frozen=True)
class ComposedDirectives:
    links: tuple[str, ...] = ()  # printed `@link(...)` for the supergraph schema
    definitions: dict[str, str] = field(default_factory=dict)  # name → printed definition
    repeatable: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class _Item:
    subgraph: Subgraph
    feature: LinkedFeature
    name_in_feature: str
    local_name: str


def _feature_of(subgraph: Subgraph, identity: str) -> LinkedFeature | None:
    return next((f for f in subgraph.linked_features if f.identity == identity), None)


class _Manager:
    def __init__(self, subgraphs: Sequence[Subgraph], report: Report) -> None:
        self.subgraphs = subgraphs
        self.report = report

    def error(self, message: str, subgraphs: Sequence[str]) -> None:
        self.report.error(CODE, message, subgraphs, "schema")

    def items(self) -> list[_Item]:
        tag_names = {s.name: _local_federation_name(s, "tag") for s in self.subgraphs}
        inaccessible_names = {
            s.name: _local_federation_name(s, "inaccessible") for s in self.subgraphs
        }
        items = []
        for subgraph in self.subgraphs:
            for request in subgraph.compose_requests:
                item = self.item(subgraph, request, tag_names, inaccessible_names)
                if item is not None:
                    items.append(item)
        return items

    def item(
        self,
        subgraph: Subgraph,
        request: str | None,
        tag_names: dict[str, str | None],
        inaccessible_names: dict[str, str | None],
    ) -> _Item | None:
        where = f'in subgraph "{subgraph.name}"'
        if not request:
            self.error(
                f"Argument to @composeDirective {where} cannot be NULL or an empty String",
                [subgraph.name],
            )
            return None
        if not request.startswith("@"):
            self.error(
                f'Argument to @composeDirective "{request}" {where} must have a leading "@"',
                [subgraph.name],
            )
            return None
        name = request[1:]
        meaning = subgraph.federation_meanings.get(name)
        if meaning is not None:
            if meaning in COMPOSED_BY_DEFAULT:
                self.report.hint(
                    "DIRECTIVE_COMPOSITION_INFO",
                    f'Directive "@{name}" should not be explicitly manually composed since it '
                    "is a federation directive composed by default",
                    [subgraph.name],
                    "schema",
                )
            else:
                self.error(
                    f'Composing federation directive "{request}" {where} is not supported',
                    [subgraph.name],
                )
            return None
        if name not in subgraph.directive_definitions:
            self.error(
                "Could not find matching directive definition for argument to "
                f'@composeDirective "@{name}" {where}.',
                [subgraph.name],
            )
            return None
        for feature in subgraph.linked_features:
            name_in_feature = feature.name_in_feature(name)
            if name_in_feature is None:
                continue
            if feature.identity in DISALLOWED_IDENTITIES:
                self.error(
                    f'Composing federation directive "{request}" {where} is not supported',
                    [subgraph.name],
                )
                return None
            for automatic, names in (("tag", tag_names), ("inaccessible", inaccessible_names)):
                conflicting = [other for other, local in names.items() if local == name]
                if conflicting:
                    self.error(
                        f'Directive "@{name}" {where} cannot be composed because it conflicts '
                        f'with automatically composed federation directive "@{automatic}". '
                        f"Conflict exists in subgraph(s): ({','.join(conflicting)})",
                        [subgraph.name],
                    )
                    return None
            return _Item(subgraph, feature, name_in_feature, name)
        self.error(
            f'Directive "@{name}" {where} cannot be composed because it is not a member of a '
            "core feature",
            [subgraph.name],
        )
        return None

    def latest_features(self, items: list[_Item]) -> dict[str, tuple[LinkedFeature, list[str]]]:
        """Per composed spec identity: its latest linked version and the subgraphs linking
        exactly that version (Apollo's `getLatestIfCompatible`)."""
        identities: list[str] = []
        for subgraph in self.subgraphs:
            for feature in subgraph.linked_features:
                if feature.identity not in identities:
                    identities.append(feature.identity)
        latest_by_identity = {}
        for identity in identities:
            composing = {item.subgraph.name for item in items if item.feature.identity == identity}
            pairs = [
                (linked, subgraph.name in composing, subgraph.name)
                for subgraph in self.subgraphs
                if (linked := _feature_of(subgraph, identity)) is not None
            ]
            latest: tuple[LinkedFeature, bool, str] | None = None
            conflict = hinted = False
            for pair in pairs:
                if latest is None:
                    latest = pair
                    continue
                if latest[0].major != pair[0].major:
                    if latest[1] and pair[1]:
                        self.error(
                            f'Core feature "{identity}" requested to be merged has major '
                            "version mismatch across subgraphs",
                            [name for _, _, name in pairs],
                        )
                        conflict = True
                        break
                    if not hinted:
                        hinted = True
                        self.report.hint(
                            "DIRECTIVE_COMPOSITION_INFO",
                            f'Non-composed core feature "{identity}" has major version '
                            "mismatch across subgraphs",
                            [name for _, _, name in pairs],
                            "schema",
                        )
                    latest = latest if latest[1] else pair
                elif latest[1] != pair[1]:
                    latest = latest if latest[1] else pair
                else:
                    latest = latest if latest[0].minor > pair[0].minor else pair
            if conflict or latest is None or not latest[1]:
                continue
            version = (latest[0].major, latest[0].minor)
            same_version = [
                name for feature, _, name in pairs if (feature.major, feature.minor) == version
            ]
            latest_by_identity[identity] = (latest[0], list(reversed(same_version)))
        return latest_by_identity

    def check_consistency(self, items: list[_Item]) -> bool:
        consistent = True
        by_local: dict[str, list[_Item]] = {}
        by_original: dict[str, list[_Item]] = {}
        for item in items:
            by_local.setdefault(item.local_name, []).append(item)
            by_original.setdefault(item.name_in_feature, []).append(item)
        for name, group in by_local.items():
            names = [item.subgraph.name for item in group]
            if len({item.name_in_feature for item in group}) > 1:
                consistent = False
                self.error(
                    f'Composed directive "@{name}" does not refer to the same directive in '
                    "every subgraph",
                    names,
                )
            if len({item.feature.identity for item in group}) > 1:
                consistent = False
                self.error(
                    f'Composed directive "@{name}" is not linked by the same core feature in '
                    "every subgraph",
                    names,
                )
        for group in by_original.values():
            if len({item.local_name for item in group}) > 1:
                consistent = False
                spellings = ", ".join(
                    f'"@{item.local_name}" in subgraph "{item.subgraph.name}"' for item in group
                )
                self.error(
                    f"Composed directive is not named consistently in all subgraphs: {spellings}",
                    [item.subgraph.name for item in group],
                )
        return consistent

    def run(self) -> ComposedDirectives:
        errors_before = len(self.report.errors)
        items = self.items()
        latest = self.latest_features(items)
        if not self.check_consistency(items) or len(self.report.errors) > errors_before:
            return ComposedDirectives()
        by_name = {subgraph.name: subgraph for subgraph in self.subgraphs}
        imports: dict[str, list[tuple[str, str]]] = {}
        definitions: dict[str, str] = {}
        repeatable: dict[str, bool] = {}
        for item in items:
            identity = item.feature.identity
            pair = (item.local_name, item.name_in_feature)
            if pair not in imports.setdefault(identity, []):
                imports[identity].append(pair)
            if item.local_name in definitions:
                continue
            feature, subgraph_names = latest[identity]
            definition = next(
                (
                    node
                    for subgraph_name in subgraph_names
                    if (linked := _feature_of(by_name[subgraph_name], identity)) is not None
                    and (
                        node := by_name[subgraph_name].directive_definitions.get(
                            linked.local_name(item.name_in_feature)
                        )
                    )
                    is not None
                ),
                None,
            )
            if definition is None:
                plural = len(subgraph_names) != 1
                self.error(
                    f'Core feature "{feature.url}" in '
                    f"{_subgraph_names(subgraph_names)} {'do' if plural else 'does'} not have a "
                    f'directive definition for "@{item.local_name}"',
                    subgraph_names,
                )
                continue
            definitions[item.local_name] = print_definition(item.local_name, definition)
            repeatable[item.local_name] = definition.repeatable
        links = tuple(
            _print_link(latest[identity][0], pairs)
            for identity in latest
            if (pairs := imports.get(identity))
        )
        return ComposedDirectives(links, definitions, repeatable)


def _subgraph_names(names: Sequence[str]) -> str:
    quoted = [f'"{name}"' for name in names]
    if len(quoted) == 1:
        return f"subgraph {quoted[0]}"
    return "subgraphs " + ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _local_federation_name(subgraph: Subgraph, meaning: str) -> str | None:
    if not subgraph.is_fed2:
        return meaning
    # The imported (unprefixed) name wins over `federation__<name>`, as Apollo reports it.
    names = [local for local, known in subgraph.federation_meanings.items() if known == meaning]
    return next((name for name in names if "__" not in name), names[0] if names else None)


def _print_link(feature: LinkedFeature, pairs: list[tuple[str, str]]) -> str:
    imports = ", ".join(
        quote("@" + local) if local == original
        else "{name: " + quote("@" + original) + ", as: " + quote("@" + local) + "}"
        for local, original in pairs
    )  # fmt: skip
    return f"@link(url: {quote(feature.url)}, import: [{imports}])"


def print_definition(name: str, node: DirectiveDefinitionNode) -> str:
    arguments = [
        MergedArgument(
            name=argument.name.value,
            type=print_ast(argument.type),
            default=print_ast(argument.default_value) if argument.default_value else None,
            description=argument.description.value if argument.description else None,
        )
        for argument in node.arguments or ()
    ]
    locations = " | ".join(location.value for location in node.locations)
    repeatable = " repeatable" if node.repeatable else ""
    head = description(node.description.value if node.description else None)
    return f"{head}directive @{name}{print_arguments(arguments, '')}{repeatable} on {locations}"


def compose_directives(subgraphs: Sequence[Subgraph], report: Report) -> ComposedDirectives:
    """Validates every `@composeDirective` (errors and hints go to `report`)."""
    if not any(subgraph.compose_requests for subgraph in subgraphs):
        return ComposedDirectives()
    return _Manager(subgraphs, report).run()
