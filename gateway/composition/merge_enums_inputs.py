"""Enums (union for output-only, intersection for input-only, equality for both) and input objects
(intersection of fields)."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.composition.descriptions import merge_description
from gateway.composition.errors import subgraph_list
from gateway.composition.merge_context import MergeContext
from gateway.composition.merge_fields import merge_default, merge_type_reference
from gateway.composition.merged_model import MergedEnumValue, MergedField, MergedType
from gateway.composition.subgraph_model import SubgraphType
from gateway.composition.type_references import is_required


def merge_enum(
    context: MergeContext, target: MergedType, sources: Sequence[tuple[int, SubgraphType]]
) -> None:
    usage = context.enum_usages.get(target.name)
    if not usage:
        context.report.hint(
            "UNUSED_ENUM_TYPE",
            f'Enum type "{target.name}" is defined but unused. It will be included in the '
            "supergraph "
            "with all the values appearing in any subgraph (as if it was only used as an output "
            "type).",
            [context.name(index) for index, _ in sources],
            target.name,
        )
        usage = {}
    position = "Both" if len(usage) == 2 else ("Input" if "Input" in usage else "Output")
    for _, type_ in sources:
        for subgraph_value in type_.values:
            target.values.setdefault(subgraph_value.name, MergedEnumValue(subgraph_value.name))
    for value in list(target.values.values()):
        coordinate = f"{target.name}.{value.name}"
        having = [
            (index, type_)
            for index, type_ in sources
            if any(v.name == value.name for v in type_.values)
        ]
        lacking = [
            index for index, type_ in sources if not any(v.name == value.name for v in type_.values)
        ]
        value_sources = [
            (index, next(v for v in type_.values if v.name == value.name))
            for index, type_ in having
        ]
        value.description = merge_description(
            context, coordinate, [(i, v.description) for i, v in value_sources]
        )
        context.record_directives([(i, v.directives) for i, v in value_sources], value.directives)
        value.directives.extend(
            f"@join__enumValue(graph: {context.graph(index)})" for index, _ in having
        )
        inaccessible = "@inaccessible" in value.directives
        if lacking and not inaccessible and position != "Output":
            having_names = subgraph_list([context.name(i) for i, _ in having])
            lacking_names = subgraph_list([context.name(i) for i in lacking])
            if position == "Both":
                context.report.error(
                    "ENUM_VALUE_MISMATCH",
                    f'Enum type "{target.name}" is used as both input type (for example, as '
                    "type of "
                    f'"{usage["Input"]}") and output type (for example, as type of '
                    f'"{usage["Output"]}"), '
                    f'but value "{value.name}" is not defined in all the subgraphs defining '
                    f'"{target.name}": "{value.name}" is defined in {having_names} but not in '
                    f"{lacking_names}",
                    [context.name(i) for i in lacking],
                    coordinate,
                )
            else:
                context.report.hint(
                    "INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM",
                    f'Value "{value.name}" of enum type "{target.name}" will not be part of the '
                    "supergraph "
                    f'as it is not defined in all the subgraphs defining "{target.name}": '
                    f'"{value.name}" is '
                    f"defined in {having_names} but not in {lacking_names}",
                    [context.name(i) for i in lacking],
                    coordinate,
                )
                del target.values[value.name]
        elif lacking and position == "Output":
            context.report.hint(
                "INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM",
                f'Value "{value.name}" of enum type "{target.name}" has been added to the '
                "supergraph but "
                f'is only defined in a subset of the subgraphs defining "{target.name}"',
                [context.name(i) for i in lacking],
                coordinate,
            )
    if not target.values:
        context.report.error(
            "EMPTY_MERGED_ENUM_TYPE",
            f'None of the values of enum type "{target.name}" are defined consistently in all the '
            "subgraphs defining that type. As only values common to all subgraphs are merged, this "
            "would result in an empty type.",
            [context.name(index) for index, _ in sources],
            target.name,
        )


def merge_input(
    context: MergeContext, target: MergedType, sources: Sequence[tuple[int, SubgraphType]]
) -> None:
    names = list(dict.fromkeys(field_.name for _, type_ in sources for field_ in type_.fields))
    for name in names:
        coordinate = f"{target.name}.{name}"
        present = [
            (index, field_) for index, type_ in sources if (field_ := type_.field(name)) is not None
        ]
        missing = [index for index, type_ in sources if type_.field(name) is None]
        merged = MergedField(name)
        merged.description = merge_description(
            context, coordinate, [(i, f.description) for i, f in present]
        )
        context.record_directives([(i, f.directives) for i, f in present], merged.directives)
        merged.type, _ = merge_type_reference(
            context, coordinate, [(i, f.type) for i, f in present], True
        )
        merged.default = merge_default(
            context, coordinate, "Input field", [(i, f.default) for i, f in present]
        )
        if missing and "@inaccessible" not in merged.directives:
            required = [
                index for index, field_ in present if is_required(field_.type, field_.default)
            ]
            if required:
                context.report.error(
                    "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                    f'Input object field "{coordinate}" is required in some subgraphs but does '
                    "not appear in "
                    "all subgraphs: it is required in "
                    f"{subgraph_list([context.name(i) for i in required])} "
                    f"but does not appear in {subgraph_list([context.name(i) for i in missing])}",
                    [context.name(i) for i in required + missing],
                    coordinate,
                )
            else:
                context.report.hint(
                    "INCONSISTENT_INPUT_OBJECT_FIELD",
                    f'Input object field "{name}" will not be added to "{target.name}" in the '
                    "supergraph as "
                    "it does not appear in all subgraphs",
                    [context.name(i) for i in missing],
                    coordinate,
                )
            continue
        target.fields[name] = merged
    if not target.fields:
        context.report.error(
            "EMPTY_MERGED_INPUT_TYPE",
            f'None of the fields of input object type "{target.name}" are consistently defined '
            "in all "
            "the subgraphs defining that type. As only fields common to all subgraphs are "
            "merged, this "
            "would result in an empty type.",
            [context.name(index) for index, _ in sources],
            target.name,
        )
