"""`footprint`: how many bytes an object graph holds, for caches bounded by memory.

Counting entries says nothing about memory: one cached 100 KB operation holds megabytes (every
AST node, and through its locations every token of the source), while a thousand small ones
hold little. This walks the graph once, when an entry is stored, and sums `sys.getsizeof` of
every object reached: graphql-core nodes, locations and tokens, the plan's dataclasses, and the
containers and scalars in them. Objects reached twice are counted once. The walk never leaves
those kinds of objects, so a reference to something shared (a schema, a class) is not
charged to the entry.
"""

from __future__ import annotations

import sys
from dataclasses import fields, is_dataclass
from typing import Any

from graphql import Node, Source
from graphql.language import Location, Token

_LEAVES = (str, bytes, int, float, bool, type(None))
_CONTAINERS = (tuple, list, set, frozenset)


def footprint(root: object) -> int:
    seen: set[int] = set()
    stack: list[Any] = [root]
    total = 0
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        total += sys.getsizeof(value)
        if isinstance(value, _LEAVES):
            continue
        if isinstance(value, _CONTAINERS):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, Node):
            stack.extend(getattr(value, key, None) for key in value.keys)
        elif isinstance(value, Location):
            stack.extend((value.start, value.end, value.start_token, value.end_token, value.source))
        elif isinstance(value, Token):
            stack.extend((value.start, value.end, value.line, value.column))
            stack.extend((value.value, value.prev, value.next))
        elif isinstance(value, Source):
            stack.append(value.body)
        elif is_dataclass(value) and not isinstance(value, type):
            stack.extend(getattr(value, field.name) for field in fields(value))
    return total
