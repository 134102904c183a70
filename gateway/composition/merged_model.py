"""The supergraph while it is being built.

Unlike the rest of the stage these classes are mutable: merging fills them in several passes
(types shallowly, then fields, then applied directives), exactly as Apollo's merger does, so
the printed order matches Apollo's.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MergedArgument:
    name: str
    type: str
    default: str | None = None
    description: str | None = None
    directives: list[str] = field(default_factory=list)


@dataclass
class MergedField:
    name: str
    type: str = ""
    default: str | None = None  # input fields
    description: str | None = None
    arguments: list[MergedArgument] = field(default_factory=list)
    directives: list[str] = field(default_factory=list)


@dataclass
class MergedEnumValue:
    name: str
    description: str | None = None
    directives: list[str] = field(default_factory=list)


@dataclass
class MergedType:
    kind: str
    name: str
    description: str | None = None
    directives: list[str] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    fields: dict[str, MergedField] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    values: dict[str, MergedEnumValue] = field(default_factory=dict)


@dataclass
class MergedSchema:
    join_version: tuple[int, int]
    graphs: list[tuple[str, str, str]]  # (enum value, subgraph name, url)
    features: list[str]  # composed features in link order
    root_types: dict[str, str]
    types: dict[str, MergedType] = field(default_factory=dict)
    # `@composeDirective`: the custom specs' `@link`s and the kept directives' definitions.
    custom_links: tuple[str, ...] = ()
    custom_directives: dict[str, str] = field(default_factory=dict)
