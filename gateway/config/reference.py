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
    top_level = [(name, field) for name, field in root.model_fields.items()]
    plain = [(name, field) for name, field in top_level if _section_of(field) is None]
    if plain:
        parts.append("## Top-level settings\n\n" + _table(plain))
    for name, field in top_level:
        section = _section_of(field)
        if section is not None:
            parts.extend(_section(name, section, field))
    return "\n".join(parts)


def _section(path: str, model: type[BaseModel], field: FieldInfo) -> list[str]:
    level = "#" * min(2 + path.count("."), 4)
    about = (model.__doc__ or field.description or "").strip()
    plain = [(name, sub) for name, sub in model.model_fields.items() if _section_of(sub) is None]
    text = f"{level} `{path}`\n\n{_one_paragraph(about)}\n"
    if plain:
        text += "\n" + _table(plain)
    parts = [text]
    for name, sub in model.model_fields.items():
        nested = _section_of(sub)
        if nested is not None:
            parts.extend(_section(f"{path}.{name}", nested, sub))
    return parts


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
        return f"list of {_type_name(arguments[0])}s"
    if origin is dict:
        return f"map of name → {_type_name(arguments[1])}"
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
    annotation = field.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None
