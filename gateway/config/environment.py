"""`${env.NAME}` and `${env.NAME:-default}` in configuration values (Apollo Router's syntax).

Secrets and deployment-specific URLs stay out of the file. A reference to a variable that is
not set and has no default is an error naming the key where it appears: a gateway must not
start with an empty secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gateway.config.errors import dotted

REFERENCE = re.compile(r"\$\{env\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")


def expand(value: Any, environment: Mapping[str, str], problems: list[str]) -> Any:
    """`value` with every reference in its strings replaced; problems are appended."""
    return _expand(value, environment, problems, ())


def _expand(
    value: Any, environment: Mapping[str, str], problems: list[str], path: tuple[str | int, ...]
) -> Any:
    if isinstance(value, str):
        return _expand_string(value, environment, problems, path)
    if isinstance(value, dict):
        return {
            key: _expand(item, environment, problems, (*path, key)) for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            _expand(item, environment, problems, (*path, index)) for index, item in enumerate(value)
        ]
    return value


def _expand_string(
    text: str, environment: Mapping[str, str], problems: list[str], path: tuple[str | int, ...]
) -> str:
    def replace(match: re.Match[str]) -> str:
        name, default = match["name"], match["default"]
        if name in environment:
            return environment[name]
        if default is not None:
            return default
        problems.append(
            f"`{dotted(path)}`: environment variable {name} is not set "
            f"(write ${{env.{name}:-default}} to give a default)"
        )
        return ""

    return REFERENCE.sub(replace, text)
