"""Prints the merged supergraph exactly as Apollo's `printSchema` with shallow ordering does."""

from __future__ import annotations

from gateway.composition.join_spec import (
    FEATURE_DIRECTIVES,
    FEATURE_LINKS,
    FEATURE_SCALARS,
    join_directives,
    join_types,
)
from gateway.composition.merged_model import MergedArgument, MergedField, MergedSchema, MergedType

INDENT = "  "


def sort_key(name: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """An approximation of ICU's `localeCompare` for GraphQL names: `_` < digits < letters,
    letters compared without case first, then lower case before upper case."""

    def primary(character: str) -> int:
        if character == "_":
            return 0
        if character.isdigit():
            return 1 + ord(character)
        return 100 + ord(character.lower())

    return tuple(primary(c) for c in name), tuple(1 if c.isupper() else 0 for c in name)


def block_string(value: str, indentation: str, prefer_multiple_lines: bool) -> str:
    single_line = "\n" not in value
    leading_space = value[:1] in (" ", "\t")
    multiple = (
        not single_line or value.endswith('"') or value.endswith("\\") or prefer_multiple_lines
    )
    result = ""
    if multiple and not (single_line and leading_space):
        result += "\n" + indentation
    result += value.replace("\n", "\n" + indentation) if indentation else value
    if multiple:
        result += "\n"
    return '"""' + result.replace('"""', '\\"""') + '"""'


def description(text: str | None, indentation: str = "", first_in_block: bool = True) -> str:
    if text is None:
        return ""
    printed = block_string(text, "", len(text) > 70)
    prefix = "\n" + indentation if indentation and not first_in_block else indentation
    return prefix + printed.replace("\n", "\n" + indentation) + "\n"


def print_argument(argument: MergedArgument) -> str:
    default = f" = {argument.default}" if argument.default is not None else ""
    directives = "".join(" " + directive for directive in argument.directives)
    return f"{argument.name}: {argument.type}{default}{directives}"


def print_arguments(arguments: list[MergedArgument], indentation: str) -> str:
    if not arguments:
        return ""
    if all(not argument.description for argument in arguments):
        return "(" + ", ".join(print_argument(argument) for argument in arguments) + ")"
    lines = "\n".join(
        description(argument.description, INDENT + indentation, index == 0)
        + INDENT
        + indentation
        + print_argument(argument)
        for index, argument in enumerate(arguments)
    )
    return f"(\n{lines}\n{indentation})"


def print_field(field: MergedField, is_input: bool) -> str:
    arguments = "" if is_input else print_arguments(field.arguments, INDENT)
    default = f" = {field.default}" if is_input and field.default is not None else ""
    directives = "".join(" " + directive for directive in field.directives)
    return f"{field.name}{arguments}: {field.type}{default}{directives}"


def print_block(items: list[str]) -> str:
    return "{\n" + "\n".join(items) + "\n}" if items else ""


def print_directives_block(directives: list[str], has_body: bool) -> str:
    if not directives:
        return ""
    return "\n" + INDENT + ("\n" + INDENT).join(directives) + ("\n" if has_body else "")


def print_type(type_: MergedType) -> str:
    head = description(type_.description)
    if type_.kind == "scalar":
        return f"{head}scalar {type_.name}{print_directives_block(type_.directives, False)}"
    if type_.kind == "union":
        members = " = " + " | ".join(type_.members) if type_.members else ""
        directives = print_directives_block(type_.directives, bool(type_.members))
        return f"{head}union {type_.name}{directives}{members}"
    if type_.kind == "enum":
        values = [
            description(value.description, INDENT, index == 0)
            + INDENT
            + value.name
            + "".join(" " + directive for directive in value.directives)
            for index, value in enumerate(type_.values.values())
        ]
        space = " " if not type_.directives and values else ""
        directives = print_directives_block(type_.directives, bool(values))
        return f"{head}enum {type_.name}{directives}{space}{print_block(values)}"
    keyword = {"object": "type", "interface": "interface", "input": "input"}[type_.kind]
    fields = [
        description(field.description, INDENT, index == 0)
        + INDENT
        + print_field(field, type_.kind == "input")
        for index, field in enumerate(type_.fields.values())
    ]
    interfaces = " implements " + " & ".join(type_.interfaces) if type_.interfaces else ""
    space = " " if not type_.directives and fields else ""
    return (
        f"{head}{keyword} {type_.name}{interfaces}"
        f"{print_directives_block(type_.directives, bool(fields))}{space}{print_block(fields)}"
    )


def print_supergraph(schema: MergedSchema) -> str:
    links = ['@link(url: "https://specs.apollo.dev/link/v1.0")']
    major, minor = schema.join_version
    links.append(f'@link(url: "https://specs.apollo.dev/join/v{major}.{minor}", for: EXECUTION)')
    directives = join_directives(schema.join_version)
    types = dict(join_types(schema.join_version, schema.graphs))
    for feature in schema.features:
        if feature == "cost":
            imports = ', import: ["@listSize"]' if "listSize" in schema.features else ""
            links.append(FEATURE_LINKS["cost"].format(imports=imports))
        elif feature == "listSize":
            if "cost" not in schema.features:
                links.append(FEATURE_LINKS["cost"].format(imports=', import: ["@listSize"]'))
        else:
            links.append(FEATURE_LINKS[feature])
    links.extend(schema.custom_links)
    directives.update(schema.custom_directives)
    for feature in schema.features:
        if feature == "listSize" or feature == "cost":
            directives["cost"] = FEATURE_DIRECTIVES["cost"]
            directives["listSize"] = FEATURE_DIRECTIVES["listSize"]
        else:
            directives[feature] = FEATURE_DIRECTIVES[feature]
        if feature in FEATURE_SCALARS:
            types[FEATURE_SCALARS[feature]] = f"scalar {FEATURE_SCALARS[feature]}"
    roots = "\n".join(
        f"{INDENT}{operation}: {name}" for operation, name in schema.root_types.items()
    )
    schema_definition = (
        "schema\n" + "\n".join(INDENT + link for link in links) + "\n{\n" + roots + "\n}"
    )
    for name, type_ in schema.types.items():
        types[name] = print_type(type_)
    printed_directives = [directives[name] for name in sorted(directives, key=sort_key)]
    printed_types = [types[name] for name in sorted(types, key=sort_key)]
    return "\n\n".join([schema_definition, *printed_directives, *printed_types])
