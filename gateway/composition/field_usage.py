"""Which fields a subgraph's `@key`/`@requires`/`@provides` select, and which implement an
interface field there: for sharing and override."""

from __future__ import annotations

from gateway.composition.field_sets import FieldSelection, FieldSet, selected_fields
from gateway.composition.subgraph_model import Subgraph
from gateway.composition.subgraph_parser import named_type


def collect_coordinates(
    subgraph: Subgraph, type_name: str, field_set: FieldSet, into: set[str]
) -> None:
    type_ = subgraph.type(type_name)
    if type_ is None:
        return
    for selection in field_set.selections:
        if isinstance(selection, FieldSelection):
            into.add(f"{type_name}.{selection.name}")
            if type_.kind == "interface":
                for other in subgraph.types.values():
                    if type_name in other.interfaces:
                        into.add(f"{other.name}.{selection.name}")
            field_ = type_.field(selection.name)
            if field_ is not None and selection.selections is not None:
                collect_coordinates(subgraph, named_type(field_.type), selection.selections, into)
        else:
            collect_coordinates(
                subgraph, selection.type_condition or type_name, selection.selections, into
            )


def key_coordinates(subgraph: Subgraph) -> set[str]:
    found: set[str] = set()
    for type_ in subgraph.types.values():
        for key in type_.keys:
            collect_coordinates(subgraph, type_.name, selected_fields(key.fields), found)
    return found


def provided_coordinates(subgraph: Subgraph) -> set[str]:
    found: set[str] = set()
    for type_ in subgraph.types.values():
        for field_ in type_.fields:
            if field_.provides:
                collect_coordinates(
                    subgraph, named_type(field_.type), selected_fields(field_.provides), found
                )
    return found


def required_coordinates(subgraph: Subgraph) -> set[str]:
    found: set[str] = set()
    for type_ in subgraph.types.values():
        for field_ in type_.fields:
            if field_.requires:
                collect_coordinates(subgraph, type_.name, selected_fields(field_.requires), found)
    return found


def interface_coordinates(subgraph: Subgraph) -> set[str]:
    """`Type.field` of every object field implementing a field of one of its interfaces: an
    `@override`n one stays in use there (the interface field reads it), as Apollo marks it
    `usedOverridden`."""
    found: set[str] = set()
    for type_ in subgraph.types.values():
        for interface_name in type_.interfaces:
            interface = subgraph.type(interface_name)
            for field_ in interface.fields if interface is not None else ():
                if type_.field(field_.name) is not None:
                    found.add(f"{type_.name}.{field_.name}")
    return found
