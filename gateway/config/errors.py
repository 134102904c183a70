"""`ConfigError`: what is wrong with a configuration, one problem per line.

Pydantic's validation errors are rewritten for a person editing YAML: the key path in dotted
form (`limits.max_depth`), the value found, and for an unknown key the closest valid name.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError


class ConfigError(Exception):
    """The configuration cannot be read, or holds an unknown key or a value of the wrong kind."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = (problems,) if isinstance(problems, str) else tuple(problems)
        super().__init__("\n".join(self.problems))

    @classmethod
    def from_validation(
        cls, model: type[BaseModel], error: ValidationError, source: str
    ) -> ConfigError:
        return cls([f"{source}: {_describe(model, detail)}" for detail in error.errors()])


def dotted(path: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in path) or "(top level)"


def _describe(model: type[BaseModel], detail: Any) -> str:
    path: tuple[str | int, ...] = tuple(detail["loc"])
    where = f"`{dotted(path)}`"
    kind = detail["type"]
    if kind == "extra_forbidden":
        return f"{where}: unknown key{_suggestion(model, path)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{where}: expected a mapping, got {_shown(detail['input'])}"
    return f"{where}: {detail['msg']}, got {_shown(detail['input'])}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _suggestion(root: type[BaseModel], path: Sequence[str | int]) -> str:
    section = _model_at(root, path[:-1])
    if section is None:
        return ""
    valid = list(section.model_fields)
    close = difflib.get_close_matches(str(path[-1]), valid, n=1, cutoff=0.6)
    if close:
        return f"; did you mean `{close[0]}`?"
    return f"; valid keys here: {', '.join(valid)}"


def _model_at(root: type[BaseModel], path: Sequence[str | int]) -> type[BaseModel] | None:
    """The section model found at `path`, stepping through fields, mapping values and list
    items (`headers.subgraphs.apps` is the model of one subgraph's header rules)."""
    annotation: Any = root
    for part in path:
        model = _model_in(annotation)
        if model is not None and isinstance(part, str) and part in model.model_fields:
            annotation = model.model_fields[part].annotation
            continue
        # A mapping's value type, a list's or tuple's item type (`tuple[X, ...]` ends in `...`).
        arguments = [argument for argument in typing.get_args(annotation) if argument is not ...]
        if not arguments:
            return None
        annotation = arguments[-1]
    return _model_in(annotation)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for member in typing.get_args(annotation):
            found = _model_in(member)
            if found is not None:
                return found
    return None
