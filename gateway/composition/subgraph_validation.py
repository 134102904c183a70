"""Per-subgraph federation checks: the field sets of `@key`/`@requires`/`@provides`,
and how `@external` is used."""

from __future__ import annotations

from gateway.composition.errors import CompositionError
from gateway.composition.field_sets import (
    FieldSelection,
    FieldSet,
    FieldSetSyntaxError,
    parse_field_set,
)
from gateway.composition.field_usage import (
    key_coordinates,
    provided_coordinates,
    required_coordinates,
)
from gateway.composition.subgraph_model import Subgraph
from gateway.composition.subgraph_parser import named_type

COMPOSITE = ("object", "interface", "union")


class _FieldSetChecker:
    def __init__(self, subgraph: Subgraph, directive: str, errors: list[CompositionError]) -> None:
        self.subgraph = subgraph
        self.directive = directive
        self.errors = errors

    def error(self, suffix: str, coordinate: str, message: str) -> None:
        code = f"{self.directive.upper()}_{suffix}"
        self.errors.append(
            CompositionError(
                code, f"[{self.subgraph.name}] {message}", (self.subgraph.name,), coordinate
            )
        )

    def check(self, type_name: str, text: str, coordinate: str) -> None:
        element = "type" if self.directive == "key" else "field"
        prefix = f'On {element} "{coordinate}", for @{self.directive}(fields: "{text}"): '
        try:
            field_set = parse_field_set(text)
        except FieldSetSyntaxError as error:
            self.error("INVALID_FIELDS", coordinate, prefix + str(error))
            return
        self.walk(type_name, field_set, coordinate, prefix, under_external=False)

    def walk(
        self,
        type_name: str,
        field_set: FieldSet,
        coordinate: str,
        prefix: str,
        under_external: bool,
    ) -> None:
        type_ = self.subgraph.type(type_name)
        if type_ is None:
            return
        for selection in field_set.selections:
            if not isinstance(selection, FieldSelection):
                self.walk(
                    selection.type_condition or type_name,
                    selection.selections,
                    coordinate,
                    prefix,
                    under_external,
                )
                continue
            if selection.name == "__typename":
                continue
            field_ = type_.field(selection.name)
            if field_ is None:
                self.error(
                    "INVALID_FIELDS",
                    coordinate,
                    prefix + f'Cannot query field "{selection.name}" on type "{type_name}" '
                    "(if the field is "
                    "defined in another subgraph, you need to add it to this subgraph with "
                    "@external).",
                )
                continue
            field_coordinate = f"{type_name}.{selection.name}"
            if (selection.has_arguments or field_.arguments) and self.directive == "key":
                self.error(
                    "FIELDS_HAS_ARGS",
                    coordinate,
                    prefix
                    + f"field {field_coordinate} cannot be included because it has arguments "
                    "(fields with argument are not allowed in @key)",
                )
            base = self.subgraph.type(named_type(field_.type))
            is_composite = base is not None and base.kind in COMPOSITE
            if self.directive == "key" and base is not None and base.kind in ("interface", "union"):
                kind = "Interface" if base.kind == "interface" else "Union"
                self.error(
                    "FIELDS_SELECT_INVALID_TYPE",
                    coordinate,
                    prefix
                    + f'field "{field_coordinate}" is a {kind} type which is not allowed in @key',
                )
                continue
            if is_composite and selection.selections is None:
                self.error(
                    "INVALID_FIELDS",
                    coordinate,
                    prefix + f'Field "{selection.name}" of type "{named_type(field_.type)}" '
                    "must have a selection of subfields.",
                )
                continue
            if not is_composite and selection.selections is not None:
                self.error(
                    "INVALID_FIELDS",
                    coordinate,
                    prefix + f'Field "{selection.name}" must not have a selection since type '
                    f'"{named_type(field_.type)}" has no subfields.',
                )
                continue
            external = field_.external or under_external
            if type_.kind == "interface" and self.directive == "provides":
                # Interface fields cannot be @external; provided through one, they count as
                # external when every implementation here has them external.
                external = external or _external_in_every_implementation(
                    self.subgraph, type_name, selection.name
                )
            if (
                self.directive in ("requires", "provides")
                and not is_composite
                and not external
                and self.subgraph.is_fed2
            ):
                self.error(
                    "FIELDS_MISSING_EXTERNAL",
                    coordinate,
                    prefix
                    + f'field "{field_coordinate}" should not be part of a @{self.directive} '
                    "since it is already "
                    + (
                        "provided by this subgraph (it is not marked @external)"
                        if self.directive == "requires"
                        else "effectively provided by this subgraph (it is not marked @external)"
                    ),
                )
            if selection.selections is not None:
                self.walk(
                    named_type(field_.type), selection.selections, coordinate, prefix, external
                )


def _external_in_every_implementation(subgraph: Subgraph, interface: str, field_name: str) -> bool:
    implementations = [type_ for type_ in subgraph.types.values() if interface in type_.interfaces]
    return bool(implementations) and all(
        (field_ := type_.field(field_name)) is not None and field_.external
        for type_ in implementations
    )


def validate_subgraph(subgraph: Subgraph) -> list[CompositionError]:
    errors: list[CompositionError] = []
    keys = _FieldSetChecker(subgraph, "key", errors)
    requires = _FieldSetChecker(subgraph, "requires", errors)
    provides = _FieldSetChecker(subgraph, "provides", errors)
    for type_ in subgraph.types.values():
        for key in type_.keys:
            keys.check(type_.name, key.fields, type_.name)
        for field_ in type_.fields:
            coordinate = f"{type_.name}.{field_.name}"
            if field_.requires is not None:
                requires.check(type_.name, field_.requires, coordinate)
            if field_.provides is not None:
                target = subgraph.type(named_type(field_.type))
                if target is None or target.kind not in COMPOSITE:
                    errors.append(
                        CompositionError(
                            "PROVIDES_ON_NON_OBJECT_FIELD",
                            f"[{subgraph.name}] Invalid @provides directive on field "
                            f'"{coordinate}": field has type '
                            f'"{named_type(field_.type)}" which is not a Composite Type',
                            (subgraph.name,),
                            coordinate,
                        )
                    )
                else:
                    provides.check(target.name, field_.provides, coordinate)
            if field_.external and type_.kind == "interface":
                errors.append(
                    CompositionError(
                        "EXTERNAL_ON_INTERFACE",
                        f'[{subgraph.name}] Interface type field "{coordinate}" is marked '
                        "@external but @external is "
                        "not allowed on interface fields (it is nonsensical).",
                        (subgraph.name,),
                        coordinate,
                    )
                )
    if subgraph.is_fed2 and not errors:
        used = (
            key_coordinates(subgraph)
            | provided_coordinates(subgraph)
            | required_coordinates(subgraph)
        )
        interface_fields = {
            f"{type_.name}.{field_.name}"
            for type_ in subgraph.types.values()
            for interface in type_.interfaces
            if (interface_type := subgraph.type(interface)) is not None
            for field_ in interface_type.fields
        }
        for type_ in subgraph.types.values():
            for field_ in type_.fields:
                coordinate = f"{type_.name}.{field_.name}"
                if (
                    field_.external
                    and coordinate not in used
                    and coordinate not in interface_fields
                ):
                    errors.append(
                        CompositionError(
                            "EXTERNAL_UNUSED",
                            f'[{subgraph.name}] Field "{coordinate}" is marked @external but is '
                            "not used in any "
                            "federation directive (@key, @provides, @requires) or to satisfy an "
                            "interface; the field "
                            "declaration has no use and should be removed (or the field should "
                            "not be @external).",
                            (subgraph.name,),
                            coordinate,
                        )
                    )
    return errors
