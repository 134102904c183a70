"""The fixed parts of a supergraph: link/join definitions and the composed features' specs."""

from __future__ import annotations

# Composed features in Apollo's order, with their link and definitions.
FEATURE_LINKS = {
    "tag": '@link(url: "https://specs.apollo.dev/tag/v0.3")',
    "inaccessible": '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)',
    "authenticated": '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)',
    "requiresScopes": '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)',
    "policy": '@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)',
    "cost": '@link(url: "https://specs.apollo.dev/cost/v0.1"{imports})',
}
FEATURE_DIRECTIVES = {
    "tag": "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | "
    "UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | "
    "INPUT_FIELD_DEFINITION | SCHEMA",
    "inaccessible": "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | "
    "ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION",
    "authenticated": "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | "
    "SCALAR | ENUM",
    "requiresScopes": "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on "
    "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "policy": "directive @policy(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION | OBJECT "
    "| INTERFACE | SCALAR | ENUM",
    "cost": "directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | "
    "INPUT_FIELD_DEFINITION | OBJECT | SCALAR",
    "listSize": "directive @listSize(assumedSize: Int, slicingArguments: [String!], "
    "sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION",
}
FEATURE_SCALARS = {"requiresScopes": "requiresScopes__Scope", "policy": "policy__Policy"}

LINK_DIRECTIVE = (
    "directive @link(url: String, as: String, for: link__Purpose, import: "
    "[link__Import]) repeatable on SCHEMA"
)
LINK_PURPOSE = '''enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}'''


def join_version_for(federation_versions: list[tuple[int, int] | None]) -> tuple[int, int]:
    known = [version for version in federation_versions if version is not None]
    # Fed 1 subgraphs are upgraded to federation 2.0 first.
    latest = max(known) if known else (2, 0)
    if latest >= (2, 8):
        return (0, 5)
    if latest >= (2, 7):
        return (0, 4)
    return (0, 3)


def join_directives(version: tuple[int, int]) -> dict[str, str]:
    field_arguments = (
        "graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, "
        "type: String, external: Boolean, override: String, usedOverridden: Boolean"
    )
    if version >= (0, 4):
        field_arguments += ", overrideLabel: String"
    if version >= (0, 5):
        field_arguments += ", contextArguments: [join__ContextArgument!]"
    directives = {
        "join__enumValue": "directive @join__enumValue(graph: join__Graph!) repeatable on "
        "ENUM_VALUE",
        "join__field": f"directive @join__field({field_arguments}) repeatable on "
        "FIELD_DEFINITION | INPUT_FIELD_DEFINITION",
        "join__graph": "directive @join__graph(name: String!, url: String!) on ENUM_VALUE",
        "join__implements": "directive @join__implements(graph: join__Graph!, interface: "
        "String!) repeatable on OBJECT | INTERFACE",
        "join__type": "directive @join__type(graph: join__Graph!, key: join__FieldSet, "
        "extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: "
        "Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | "
        "SCALAR",
        "join__unionMember": "directive @join__unionMember(graph: join__Graph!, member: "
        "String!) repeatable on UNION",
        "link": LINK_DIRECTIVE,
    }
    if version >= (0, 4):
        directives["join__directive"] = (
            "directive @join__directive(graphs: [join__Graph!], name: String!, args: "
            "join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION"
        )
    return directives


def join_types(version: tuple[int, int], graphs: list[tuple[str, str, str]]) -> dict[str, str]:
    import json

    graph_values = "\n".join(
        f"  {value} @join__graph(name: {json.dumps(name)}, url: {json.dumps(url)})"
        for value, name, url in graphs
    )
    types = {
        "join__FieldSet": "scalar join__FieldSet",
        "join__Graph": f"enum join__Graph {{\n{graph_values}\n}}",
        "link__Import": "scalar link__Import",
        "link__Purpose": LINK_PURPOSE,
    }
    if version >= (0, 4):
        types["join__DirectiveArguments"] = "scalar join__DirectiveArguments"
    if version >= (0, 5):
        types["join__FieldValue"] = "scalar join__FieldValue"
        types["join__ContextArgument"] = (
            "input join__ContextArgument {\n  name: String!\n  type: String!\n  context: String!\n"
            "  selection: join__FieldValue!\n}"
        )
    return types


def graph_enum_names(names: list[str]) -> dict[str, str]:
    """Subgraph name → `join__Graph` value: upper-cased, non-name characters as `_`, numbered
    on clashes."""
    import re

    sanitized: dict[str, list[str]] = {}
    for name in names:
        value = re.sub(r"[^_0-9A-Za-z]", "_", name).upper()
        if value[:1].isdigit():
            value = "_" + value
        sanitized.setdefault(value, []).append(name)
    result: dict[str, str] = {}
    for value, same in sanitized.items():
        if len(same) == 1:
            result[same[0]] = value
        else:
            for position, name in enumerate(same, start=1):
                result[name] = f"{value}_{position}"
    return result
