"""Reading a configuration file: YAML, then `${env.…}` expansion, then the typed model."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs; types-PyYAML is not installed
from pydantic import BaseModel, ValidationError

from gateway.config.environment import expand
from gateway.config.errors import ConfigError

Model = TypeVar("Model", bound=BaseModel)


def load_settings(path: str | Path, environment: Mapping[str, str] | None = None) -> Any:
    """The file's YAML with environment references expanded (`os.environ` by default)."""
    try:
        settings = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    problems: list[str] = []
    settings = expand(settings, os.environ if environment is None else environment, problems)
    if problems:
        raise ConfigError([f"{path}: {problem}" for problem in problems])
    return settings


def validate(model: type[Model], settings: Any, source: str) -> Model:
    if settings is not None and not isinstance(settings, dict):
        raise ConfigError(f"{source}: expected a mapping of settings at the top level")
    try:
        return model.model_validate(settings or {})
    except ValidationError as error:
        raise ConfigError.from_validation(model, error, source) from None
