"""Merging one field (or argument, or input field) across the subgraphs that define its type."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from graphql import TypeNode, print_ast

from gateway.composition.descriptions import merge_description
from gateway.composition.errors import subgraph_list
from gateway.composition.merge_context import MergeContext, quote
from gateway.composition.merged_model import MergedArgument, MergedField, MergedType
from gateway.composition.subgraph_model import SubgraphArgument, SubgraphField
from gateway.composition.subgraph_parser import named_type
from gateway.composition.type_references import (
    IsMember,
    is_required,
    is_strict_subtype,
    same_type,
    type_string,
)

# index → the field in that subgraph, or None when the subgraph defines the type but not the field
Sources = dict[int, SubgraphField | None]
LABEL = re.compile(r"^[a-zA-Z][a-zA-Z0-9_\-:./]*$")
PERCENT = re.compile(r"^percent\((\d{1,2}(\.\d{1,8})?|100)\)$")


@dataclass
class OverrideOutcome:
    used_overridden: set[int] = field(default_factory=set)
    unused_overridden: set[int] = field(default_factory=set)
    labels: dict[int, str] = field(default_factory=dict)
    unknown_target: set[int] = field(default_factory=set)


def is_member_in(context: MergeContext) -> IsMember:
    def is_member(abstract: str, member: str) -> bool:
        merged = context.schema.types.get(abstract)
        if merged is None:
            return False
        if merged.kind == "union":
            return member in merged.members
        candidate = context.schema.types.get(member)
        return candidate is not None and abstract in candidate.interfaces

    return is_member


def merge_type_reference(
    context: MergeContext,
    coordinate: str,
    sources: Sequence[tuple[int, TypeNode]],
    input_position: bool,
) -> tuple[str, bool]:
    """The supergraph type (output: the most general; input: the most strict) and whether all
    agree."""
    is_member = is_member_in(context)
    result: TypeNode | None = None
    has_subtypes = incompatible = False
    for _, type_node in sources:
        if result is None or same_type(result, type_node):
            result = type_node
        elif is_strict_subtype(result, type_node, is_member):
            has_subtypes = True
            if input_position:
                result = type_node
        elif is_strict_subtype(type_node, result, is_member):
            has_subtypes = True
            if not input_position:
                result = type_node
        else:
            incompatible = True
    assert result is not None
    base = named_type(result)
    merged_base = context.schema.types.get(base)
    if merged_base is not None and merged_base.kind == "enum":
        usage = context.enum_usages.setdefault(base, {})
        usage.setdefault("Input" if input_position else "Output", coordinate)
    element = "argument" if "(" in coordinate else "field"
    if incompatible:
        details = "; ".join(
            f'type "{type_string(type_node)}" in {subgraph_list([context.name(index)])}'
            for index, type_node in sources
        )
        context.report.error(
            "FIELD_ARGUMENT_TYPE_MISMATCH" if element == "argument" else "FIELD_TYPE_MISMATCH",
            f'Type of {element} "{coordinate}" is incompatible across subgraphs: it has {details}',
            [context.name(index) for index, _ in sources],
            coordinate,
        )
        return type_string(result), False
    if has_subtypes:
        context.report.hint(
            "INCONSISTENT_BUT_COMPATIBLE_ARGUMENT_TYPE"
            if element == "argument"
            else "INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE",
            f'Type of {element} "{coordinate}" is inconsistent but compatible across subgraphs: '
            f'will use type "{type_string(result)}"',
            [context.name(index) for index, _ in sources],
            coordinate,
        )
        return type_string(result), False
    return type_string(result), True


def merge_default(
    context: MergeContext, coordinate: str, kind: str, sources: Sequence[tuple[int, object]]
) -> str | None:
    printed = [(index, print_ast(value) if value is not None else None) for index, value in sources]  # type: ignore[arg-type]
    defaults = {value for _, value in printed if value is not None}
    if len(defaults) > 1:
        context.report.error(
            "FIELD_ARGUMENT_DEFAULT_MISMATCH"
            if kind == "Argument"
            else "INPUT_FIELD_DEFAULT_MISMATCH",
            f'{kind} "{coordinate}" has incompatible default values across subgraphs',
            [context.name(index) for index, _ in printed],
            coordinate,
        )
        return printed[0][1]
    if defaults and any(value is None for _, value in printed):
        context.report.hint(
            "INCONSISTENT_DEFAULT_VALUE_PRESENCE",
            f'{kind} "{coordinate}" has a default value in only some subgraphs',
            [context.name(index) for index, _ in printed],
            coordinate,
        )
        return None
    return next(iter(defaults)) if defaults else None


def merge_arguments(
    context: MergeContext, coordinate: str, fields: Sequence[tuple[int, SubgraphField]]
) -> list[MergedArgument]:
    names = list(
        dict.fromkeys(argument.name for _, field_ in fields for argument in field_.arguments)
    )
    merged = []
    for name in names:
        argument_coordinate = f"{coordinate}({name}:)"
        present: list[tuple[int, SubgraphArgument]] = []
        missing: list[int] = []
        for index, field_ in fields:
            argument = field_.argument(name)
            if argument is None:
                missing.append(index)
            else:
                present.append((index, argument))
        if missing:
            required = [
                index for index, argument in present if is_required(argument.type, argument.default)
            ]
            if required:
                context.report.error(
                    "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                    f'Argument "{argument_coordinate}" is required in some subgraphs but does '
                    "not appear "
                    "in all subgraphs: it is required in "
                    f"{subgraph_list([context.name(i) for i in required])} "
                    f"but does not appear in {subgraph_list([context.name(i) for i in missing])}",
                    [context.name(i) for i in required + missing],
                    argument_coordinate,
                )
            else:
                context.report.hint(
                    "INCONSISTENT_ARGUMENT_PRESENCE",
                    f'Optional argument "{argument_coordinate}" will not be included in the '
                    "supergraph as "
                    "it does not appear in all subgraphs",
                    [context.name(i) for i in missing],
                    argument_coordinate,
                )
            continue
        target = MergedArgument(name=name, type="")
        target.description = merge_description(
            context, argument_coordinate, [(i, argument.description) for i, argument in present]
        )
        context.record_directives(
            [(i, argument.directives) for i, argument in present], target.directives
        )
        target.type, _ = merge_type_reference(
            context, argument_coordinate, [(i, argument.type) for i, argument in present], True
        )
        target.default = merge_default(
            context,
            argument_coordinate,
            "Argument",
            [(i, argument.default) for i, argument in present],
        )
        merged.append(target)
    return merged


def validate_override(context: MergeContext, coordinate: str, sources: Sources) -> OverrideOutcome:
    outcome = OverrideOutcome()
    overriding = {
        index: field_
        for index, field_ in sources.items()
        if field_ is not None and field_.override is not None
    }
    names = [subgraph.name for subgraph in context.subgraphs] if overriding else []
    for index, field_ in overriding.items():
        assert field_.override is not None
        subgraph = context.name(index)
        source = field_.override
        if source not in names:
            outcome.unknown_target.add(index)
            context.report.hint(
                "FROM_SUBGRAPH_DOES_NOT_EXIST",
                f'Source subgraph "{source}" for field "{coordinate}" on subgraph "{subgraph}" '
                "does not exist.",
                [subgraph],
                coordinate,
            )
            continue
        if source == subgraph:
            context.report.error(
                "OVERRIDE_FROM_SELF_ERROR",
                f'Source and destination subgraphs "{source}" are the same for overridden field '
                f'"{coordinate}"',
                [subgraph],
                coordinate,
            )
            continue
        source_index = names.index(source)
        if source_index in overriding:
            context.report.error(
                "OVERRIDE_SOURCE_HAS_OVERRIDE",
                f'Field "{coordinate}" on subgraph "{subgraph}" is also marked with directive '
                "@override in "
                f'subgraph "{source}". Only one @override directive is allowed per field.',
                [subgraph, source],
                coordinate,
            )
            continue
        from_field = sources.get(source_index)
        if from_field is None:
            context.report.hint(
                "OVERRIDE_DIRECTIVE_CAN_BE_REMOVED",
                f'Field "{coordinate}" on subgraph "{subgraph}" no longer exists in the from '
                "subgraph. "
                "The @override directive can be removed.",
                [subgraph],
                coordinate,
            )
            continue
        if from_field.requires or from_field.provides or field_.external:
            context.report.error(
                "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                f'@override cannot be used on field "{coordinate}" on subgraph "{subgraph}" since '
                f'"{coordinate}" on "{source}" is marked with a conflicting directive',
                [subgraph, source],
                coordinate,
            )
            continue
        if from_field.external:
            continue
        used = coordinate in context.used_fields.get(source, set())
        (outcome.used_overridden if used else outcome.unused_overridden).add(source_index)
        label = field_.override_label
        if label is not None:
            match = PERCENT.match(label)
            if LABEL.match(label) or (match and 0 <= float(match[1]) <= 100):
                outcome.labels[index] = label
                outcome.labels[source_index] = label
                context.report.hint(
                    "OVERRIDE_MIGRATION_IN_PROGRESS",
                    f'Field "{coordinate}" is currently being migrated with progressive @override.',
                    [subgraph, source],
                    coordinate,
                )
            else:
                context.report.error(
                    "OVERRIDE_LABEL_INVALID",
                    f'Invalid @override label "{label}" on field "{coordinate}" on subgraph '
                    f'"{subgraph}"',
                    [subgraph],
                    coordinate,
                )
        else:
            context.report.hint(
                "OVERRIDDEN_FIELD_CAN_BE_REMOVED",
                f'Field "{coordinate}" on subgraph "{source}" is overridden. Consider removing it.',
                [source],
                coordinate,
            )
    return outcome


def join_field_directives(
    context: MergeContext,
    parent: str,
    sources: Sources,
    all_types_equal: bool,
    outcome: OverrideOutcome,
) -> list[str]:
    needed = not all_types_equal or bool(outcome.used_overridden) or bool(outcome.labels)
    for index, field_ in sources.items():
        if field_ is not None and index not in outcome.unused_overridden:
            if field_.external or field_.provides or field_.requires:
                needed = True
        elif context.subgraphs[index].type(parent) is not None:
            needed = True
    if not needed:
        return []
    printed = []
    for index, field_ in sources.items():
        if field_ is None or (index in outcome.unused_overridden and index not in outcome.labels):
            continue
        arguments = [f"graph: {context.graph(index)}"]
        if field_.requires is not None:
            arguments.append(f"requires: {quote(field_.requires)}")
        if field_.provides is not None:
            arguments.append(f"provides: {quote(field_.provides)}")
        if field_.override is not None:
            arguments.append(f"override: {quote(field_.override)}")
        if not all_types_equal:
            arguments.append(f"type: {quote(type_string(field_.type))}")
        if field_.external:
            arguments.append("external: true")
        if index in outcome.used_overridden:
            arguments.append("usedOverridden: true")
        if index in outcome.labels:
            arguments.append(f"overrideLabel: {quote(outcome.labels[index])}")
        printed.append(f"@join__field({', '.join(arguments)})")
    return printed


def validate_sharing(
    context: MergeContext, coordinate: str, sources: Sources, outcome: OverrideOutcome
) -> None:
    shareable: list[int] = []
    non_shareable: list[int] = []
    resolving: list[int] = []
    for index, field_ in sources.items():
        if field_ is None or index in outcome.used_overridden or index in outcome.unused_overridden:
            continue
        if field_.external and not context.is_provided(index, coordinate):
            continue
        resolving.append(index)
        (shareable if context.is_shareable(index, coordinate, field_) else non_shareable).append(
            index
        )
    if non_shareable and (shareable or len(non_shareable) > 1):
        described = (
            subgraph_list([context.name(i) for i in non_shareable]) if shareable else "all of them"
        )
        context.report.error(
            "INVALID_FIELD_SHARING",
            f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it is '
            "resolved from "
            f"{subgraph_list([context.name(i) for i in resolving])} and defined as "
            f"non-shareable in {described}",
            [context.name(i) for i in resolving],
            coordinate,
        )


def merge_field(
    context: MergeContext,
    parent: MergedType,
    target: MergedField,
    sources: Sources,
    outcome: OverrideOutcome,
) -> None:
    coordinate = f"{parent.name}.{target.name}"
    defined = [(index, field_) for index, field_ in sources.items() if field_ is not None]
    if all(field_.external for _, field_ in defined):
        names = [context.name(index) for index, _ in defined]
        context.report.error(
            "EXTERNAL_MISSING_ON_BASE",
            f'Field "{coordinate}" is marked @external on all the subgraphs in which it is listed '
            f"({subgraph_list(names)}).",
            names,
            coordinate,
        )
        target.type = type_string(defined[0][1].type)
        return
    resolving = [(index, field_) for index, field_ in defined if not field_.external]
    target.description = merge_description(
        context, coordinate, [(i, f.description) for i, f in resolving]
    )
    context.record_directives([(i, f.directives) for i, f in resolving], target.directives)
    target.arguments = merge_arguments(context, coordinate, resolving)
    target.type, all_equal = merge_type_reference(
        context, coordinate, [(i, f.type) for i, f in resolving], False
    )
    externals = [(index, field_) for index, field_ in defined if field_.external]
    if externals:
        is_member = is_member_in(context)
        from graphql import parse_type

        merged_type = parse_type(target.type)
        bad = [
            index
            for index, field_ in externals
            if not (
                same_type(merged_type, field_.type)
                or (not all_equal and is_strict_subtype(merged_type, field_.type, is_member))
            )
        ]
        if bad:
            details = "; ".join(
                f'type "{type_string(field_.type)}" in {subgraph_list([context.name(index)])}'
                for index, field_ in defined
            )
            context.report.error(
                "EXTERNAL_TYPE_MISMATCH",
                f'Type of field "{coordinate}" is incompatible across subgraphs (where marked '
                f"@external): it has {details}",
                [context.name(index) for index in bad],
                coordinate,
            )
    target.directives[:0] = []  # join__field goes after @inaccessible, before merged directives
    position = len(target.directives)
    target.directives[position:position] = join_field_directives(
        context, parent.name, sources, all_equal, outcome
    )
