"""The configuration reference in Markdown, generated from the section models.

`switchboard config reference` prints it; `docs/configuration.md` is its output, and a test
keeps the two equal, so the reference cannot drift from what the gateway accepts.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

HEADER = """# Configuration reference

`switchboard serve --config switchboard.yaml` reads one YAML file; every key below is
optional. Unknown keys and values of the wrong type are errors naming the key's path (with the
closest valid key suggested), reported all at once: check a file with
`switchboard config check FILE`. Any value may use `${env.NAME}` or `${env.NAME:-default}`; a
variable that is unset and has no default is an error. `switchboard config schema` prints the
JSON Schema, for editors that complete YAML. `switchboard.example.yaml` at the repository's
root shows every section.

This page is generated from the configuration model (`switchboard config reference`).
"""


def reference(root: type[BaseModel]) -> str:
    parts = [HEADER]
    top_level = list(root.model_fields.items())
    plain = [(name, field) for name, field in top_level if _section_of(field) is None]
    if plain:
        parts.append("## Top-level settings\n\n" + _table(plain))
    documented: dict[type[BaseModel], str] = {}
    for name, field in top_level:
        section = _section_of(field)
        if section is not None:
            parts.extend(_section(name, section, field, documented))
    return "\n".join(parts)


def _section(
    path: str, model: type[BaseModel], field: FieldInfo, documented: dict[type[BaseModel], str]
) -> list[str]:
    level = "#" * min(2 + path.count("."), 4)
    about = _one_paragraph((model.__doc__ or field.description or "").strip())
    if model in documented:
        return [f"{level} `{path}`\n\n{about} The same keys as `{documented[model]}`.\n"]
    documented[model] = path
    plain = [(name, sub) for name, sub in model.model_fields.items() if _section_of(sub) is None]
    text = f"{level} `{path}`\n\n{about}\n"
    if plain:
        text += "\n" + _table(plain)
    parts = [text]
    for name, sub in model.model_fields.items():
        nested = _section_of(sub)
        if nested is not None:
            parts.extend(_section(f"{path}.{name}", nested, sub, documented))
            continue
        # A list or a map of sections (header rules): document the item's keys too.
        item = _item_section(sub.annotation)
        if item is not None:
            suffix = "[]" if typing.get_origin(sub.annotation) is not dict else ".<name>"
            parts.extend(_section(f"{path}.{name}{suffix}", item, sub, documented))
    return parts


def _item_section(annotation: Any) -> type[BaseModel] | None:
    for argument in typing.get_args(annotation):
        if isinstance(argument, type) and issubclass(argument, BaseModel):
            return argument
        if typing.get_origin(argument) in (typing.Union, types.UnionType):
            continue
    return None


def _table(fields: list[tuple[str, FieldInfo]]) -> str:
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for name, field in fields:
        rows.append(
            f"| `{name}` | {_type_name(field.annotation, field)} | {_default(field)} "
            f"| {_one_paragraph(field.description or '')} |"
        )
    return "\n".join(rows) + "\n"


def _one_paragraph(text: str) -> str:
    return " ".join(text.split())


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "none"
    if isinstance(value, frozenset):
        value = sorted(value)
    if isinstance(value, tuple):
        value = list(value)
    return "`" + json.dumps(value) + "`"


def _type_name(annotation: Any, field: FieldInfo | None = None) -> str:
    constraints = _constraints(field.metadata if field is not None else [])
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(arguments[0]) + _constraints(annotation.__metadata__)
    if origin in (typing.Union, types.UnionType):
        members = [_type_name(member) for member in arguments if member is not type(None)]
        optional = " or none" if type(None) in arguments else ""
        return " or ".join(members) + optional + constraints
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{value}`" for value in arguments)
    if origin in (tuple, list, frozenset, set):
        item = arguments[0]
        if isinstance(item, type) and issubclass(item, BaseModel):
            return "list of mappings (below)"
        return f"list of {_type_name(item)}s"
    if origin is dict:
        return f"map of name → {_type_name(arguments[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping (below)"
    names = {bool: "boolean", int: "integer", float: "number", str: "string"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation))) + constraints


def _constraints(metadata: Any) -> str:
    words = []
    for item in metadata:
        for attribute, word in (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤")):
            value = getattr(item, attribute, None)
            if value is not None:
                words.append(f"{word} {value}")
    return f" ({', '.join(words)})" if words else ""


def _section_of(field: FieldInfo) -> type[BaseModel] | None:
    """The section a field holds, directly or as `Section | None` (a header rule's parts)."""
    annotation = field.annotation
    candidates = typing.get_args(annotation) if _is_optional(annotation) else (annotation,)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _is_optional(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(
        None
    ) in typing.get_args(annotation)
