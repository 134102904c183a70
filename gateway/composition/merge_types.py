"""Merging the subgraphs' types into the supergraph, pass by pass in Apollo's order."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.composition.descriptions import merge_description
from gateway.composition.errors import subgraph_list
from gateway.composition.merge_context import MergeContext, quote
from gateway.composition.merge_enums_inputs import merge_enum, merge_input
from gateway.composition.merge_fields import (
    Sources,
    merge_field,
    validate_override,
    validate_sharing,
)
from gateway.composition.merged_model import MergedField, MergedType
from gateway.composition.subgraph_model import SubgraphType

INTERFACE_OBJECT_KIND = "Interface Object Type (Object Type with @interfaceObject)"
KIND_NAMES = {
    "object": "Object Type", "interface": "Interface Type", "union": "Union Type",
    "enum": "Enum Type", "input": "Input Object Type", "scalar": "Scalar Type",
}  # fmt: skip


def type_sources(context: MergeContext, name: str, kind: str) -> list[tuple[int, SubgraphType]]:
    return [
        (index, type_)
        for index, type_ in context.types_by_name.get(name, ())
        if type_.merged_kind == kind
    ]


def add_types_shallow(context: MergeContext) -> None:
    mismatched: dict[str, None] = {}
    interface_objects: set[str] = set()
    for subgraph in context.subgraphs:
        for type_ in subgraph.types.values():
            if type_.interface_object:
                interface_objects.add(type_.name)
            existing = context.schema.types.get(type_.name)
            if existing is None:
                context.schema.types[type_.name] = MergedType(type_.merged_kind, type_.name)
            elif existing.kind != type_.merged_kind:
                mismatched[type_.name] = None
    for name in mismatched:
        described = "; ".join(
            f"{INTERFACE_OBJECT_KIND if t.interface_object else KIND_NAMES[t.kind]}"
            f' in subgraph "{s.name}"'
            for s in context.subgraphs
            if (t := s.type(name)) is not None
        )
        context.report.error(
            "TYPE_KIND_MISMATCH",
            f'Type "{name}" has mismatched kind: it is defined as {described}',
            [s.name for s in context.subgraphs if s.type(name) is not None],
            name,
        )
    for name in sorted(interface_objects - set(mismatched)):
        if not any(
            (t := s.type(name)) is not None and t.kind == "interface" for s in context.subgraphs
        ):
            defining = [s.name for s in context.subgraphs if s.type(name) is not None]
            context.report.error(
                "INTERFACE_OBJECT_USAGE_ERROR",
                f'Type "{name}" is declared with @interfaceObject in all the subgraphs in which '
                "it is "
                f"defined (it is defined in {subgraph_list(defining)} but should be defined as an "
                "interface in at least one subgraph)",
                defining,
                name,
            )


def merge_implements(context: MergeContext, target: MergedType) -> None:
    for index, type_ in type_sources(context, target.name, target.kind):
        for interface in type_.interfaces:
            if interface not in target.interfaces:
                target.interfaces.append(interface)
            target.directives.append(
                f"@join__implements(graph: {context.graph(index)}, interface: {quote(interface)})"
            )


def add_join_type(
    context: MergeContext, target: MergedType, sources: Sequence[tuple[int, SubgraphType]]
) -> None:
    # Apollo's Fed 1 upgrader turns `extend type` into a plain definition when another subgraph
    # defines the type; a type marked `@extends` stays an extension.
    defined_elsewhere = any(not t.extension_only and not t.extends for _, t in sources)
    for index, type_ in sources:
        graph = context.graph(index)
        fed1_defined = not context.subgraphs[index].is_fed2 and defined_elsewhere
        interface_object = ", isInterfaceObject: true" if type_.interface_object else ""
        if not type_.keys:
            target.directives.append(f"@join__type(graph: {graph}{interface_object})")
        for key in type_.keys:
            extension = (
                ", extension: true"
                if (key.on_extension and not fed1_defined) or type_.extends
                else ""
            )
            resolvable = (
                "" if key.resolvable is None else f", resolvable: {str(key.resolvable).lower()}"
            )
            target.directives.append(
                f"@join__type(graph: {graph}, key: "
                f"{quote(key.fields)}{extension}{resolvable}{interface_object})"
            )


def field_sources(
    context: MergeContext, target: MergedType, sources: Sequence[tuple[int, SubgraphType]]
) -> dict[str, Sources]:
    """Each field's sources: every subgraph defining the type (None where it lacks the field)."""
    having = {index for index, _ in sources}
    for interface in target.interfaces:
        having.update(context.interface_objects.get(interface, ()))
    having_type = sorted(having)
    by_field: dict[str, Sources] = {}
    for index, type_ in sources:
        for field_ in type_.fields:
            if field_.name not in by_field:
                by_field[field_.name] = dict.fromkeys(having_type)
                target.fields[field_.name] = MergedField(field_.name)
            by_field[field_.name][index] = field_
    return by_field


def merge_composite(
    context: MergeContext, target: MergedType, sources: Sequence[tuple[int, SubgraphType]]
) -> None:
    is_root = target.name in context.schema.root_types.values()
    if target.kind == "interface":
        validate_interface(context, target, sources)
    for name, field_sources_ in field_sources(context, target, sources).items():
        coordinate = f"{target.name}.{name}"
        outcome = validate_override(context, coordinate, field_sources_)
        merge_field(context, target, target.fields[name], field_sources_, outcome)
        if target.kind == "object":
            validate_sharing(context, coordinate, field_sources_, outcome)
    if not target.fields and not is_root:
        del context.schema.types[target.name]


def validate_interface(
    context: MergeContext, target: MergedType, sources: Sequence[tuple[int, SubgraphType]]
) -> None:
    implementations = [t.name for t in context.schema.types.values() if target.name in t.interfaces]
    for index, type_ in sources:
        subgraph = context.subgraphs[index]
        if type_.interface_object:
            defined = [name for name in implementations if subgraph.type(name) is not None]
            if defined:
                context.report.error(
                    "INTERFACE_OBJECT_USAGE_ERROR",
                    f'[{subgraph.name}] Interface type "{target.name}" is defined as an '
                    "@interfaceObject in "
                    f'subgraph "{subgraph.name}" so that subgraph should not define any of the '
                    "implementation "
                    f'types of "{target.name}", but it defines '
                    f"type{'s' if len(defined) > 1 else ''} "
                    + ", ".join(f'"{name}"' for name in defined),
                    [subgraph.name],
                    target.name,
                )
            continue
        if not any(key.resolvable is not False for key in type_.keys):
            continue
        local = [t.name for t in subgraph.types.values() if type_.name in t.interfaces]
        missing = [name for name in implementations if name not in local]
        if missing:
            context.report.error(
                "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
                f'[{subgraph.name}] Interface type "{target.name}" has a resolvable key in '
                "subgraph "
                f'"{subgraph.name}" but that subgraph is missing some of the supergraph '
                "implementation "
                f'types of "{target.name}". Subgraph "{subgraph.name}" should define '
                + ", ".join(f'"{name}"' for name in missing),
                [subgraph.name],
                target.name,
            )


def merge_union(
    context: MergeContext, target: MergedType, sources: Sequence[tuple[int, SubgraphType]]
) -> None:
    for _, type_ in sources:
        for member in type_.members:
            if member not in target.members:
                target.members.append(member)
    for member in target.members:
        for index, type_ in sources:
            if member in type_.members:
                target.directives.append(
                    f"@join__unionMember(graph: {context.graph(index)}, member: {quote(member)})"
                )
        if any(member not in type_.members for _, type_ in sources):
            context.report.hint(
                "INCONSISTENT_UNION_MEMBER",
                f'Union type "{target.name}" includes member type "{member}" in some but not '
                "all defining subgraphs",
                [context.name(index) for index, type_ in sources if member not in type_.members],
                target.name,
            )


def merge_type(context: MergeContext, target: MergedType) -> None:
    sources = type_sources(context, target.name, target.kind)
    target.description = merge_description(
        context, target.name, [(i, t.description) for i, t in sources]
    )
    add_join_type(context, target, sources)
    context.record_directives([(i, t.directives) for i, t in sources], target.directives)
    if target.kind in ("object", "interface"):
        merge_composite(context, target, sources)
    elif target.kind == "union":
        merge_union(context, target, sources)
    elif target.kind == "enum":
        merge_enum(context, target, sources)
    elif target.kind == "input":
        merge_input(context, target, sources)


def merge_all_types(context: MergeContext) -> None:
    add_types_shallow(context)
    if context.report.errors:
        return
    by_kind: dict[str, list[MergedType]] = {}
    for type_ in list(context.schema.types.values()):
        by_kind.setdefault(type_.kind, []).append(type_)
    for type_ in by_kind.get("object", []) + by_kind.get("interface", []):
        merge_implements(context, type_)
    for type_ in by_kind.get("union", []):
        merge_type(context, type_)
    for kind in ("scalar", "input", "interface", "object", "enum"):
        for type_ in by_kind.get(kind, []):
            merge_type(context, type_)
    context.apply_pending()
    add_interface_object_fields(context)


def add_interface_object_fields(context: MergeContext) -> None:
    """Implementations gain the fields an `@interfaceObject` adds to their interface."""
    provided: dict[str, set[str]] = {}
    for subgraph in context.subgraphs:
        for type_ in subgraph.types.values():
            if type_.interface_object:
                provided.setdefault(type_.name, set()).update(
                    f.name for f in type_.fields if not f.external
                )
    for merged_type in context.schema.types.values():
        if merged_type.kind != "object":
            continue
        for interface_name in merged_type.interfaces:
            interface = context.schema.types.get(interface_name)
            if interface is None:
                continue
            for name, interface_field in interface.fields.items():
                if name in merged_type.fields or name not in provided.get(interface_name, set()):
                    continue
                copied = MergedField(
                    name,
                    type=interface_field.type,
                    description=interface_field.description,
                    arguments=list(interface_field.arguments),
                    directives=[
                        d for d in interface_field.directives if not d.startswith("@join__")
                    ],
                )
                copied.directives.append("@join__field")
                merged_type.fields[name] = copied
