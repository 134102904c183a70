"""`Section`: the base of every configuration model.

A section is a frozen pydantic model that refuses keys it does not declare, so a typo is an
error rather than a silently ignored setting. Field docstrings are the documentation: they
become the JSON Schema's descriptions and the generated reference (`docs/configuration.md`).

To add a section: declare `class MySection(Section)` beside the stage that reads it, with a
docstring on each field, and add `my_section: MySection = Field(default_factory=MySection)` to
`GatewayConfig`. An empty section (`my_section:` with nothing under it) means its defaults.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_defaults(cls, data: Any) -> Any:
        # YAML reads `limits:` with nothing under it as null; the user meant "the defaults".
        return {} if data is None else data
