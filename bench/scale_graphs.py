"""Deterministic federated graphs of a given size, for the scale benchmark.

`generate(subgraphs, types)` gives `subgraphs` subgraph SDLs, each seeing about `types` entity
types. Subgraph `i` owns `ceil(types / 3)` entities `E{i}x{j}`; each entity is shared by its
owner and the next 1 to 3 subgraphs (2 to 4 holders in all), which resolve it through `@key(fields:
"id")`. What each holder adds is fixed by its rank among the holders, so every directive of the
mix appears at every size:

- the owner: `name @shareable`, `score`, `meta` (a value type of its own), `prev` (the entity
  `j` of the previous subgraph, which this subgraph holds as first sharer: deep paths cross
  subgraphs), and the entity implements the subgraph's interface `Node{i}`;
- the first sharer: `score @external`, `weighted @requires(fields: "score")`, and a root field
  `featured…` that `@provides(fields: "score")`;
- the second sharer: `name @shareable`;
- the third sharer: `rank`, a field only it resolves.

Each subgraph has root fields for its own entities, a union `Result{i}` of them, and a
`search{i}` root field returning it. Nothing is random: the same sizes give the same text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FEDERATION_LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable", "@external", "@requires", "@provides"])'
)


@dataclass(frozen=True)
class GeneratedSubgraph:
    name: str
    url: str
    sdl: str


def entity_name(owner: int, index: int) -> str:
    return f"E{owner}x{index}"


def owned_per_subgraph(types: int) -> int:
    return max(1, math.ceil(types / 3))


def holder_count(owner: int, index: int, subgraphs: int) -> int:
    """How many subgraphs hold the entity: 2, 3 or 4 (never more than there are)."""
    return min(subgraphs, 2 + (owner + index) % 3)


def subgraph_name(index: int) -> str:
    return f"sub{index}"


def generate(subgraphs: int, types: int) -> list[GeneratedSubgraph]:
    if subgraphs < 2 or types < 1:
        raise ValueError("a scale graph needs at least 2 subgraphs and 1 type")
    owned = owned_per_subgraph(types)
    # subgraph → [(owner, index, rank)], rank 0 being the owner.
    held: list[list[tuple[int, int, int]]] = [[] for _ in range(subgraphs)]
    for owner in range(subgraphs):
        for index in range(owned):
            for rank in range(holder_count(owner, index, subgraphs)):
                held[(owner + rank) % subgraphs].append((owner, index, rank))
    return [
        GeneratedSubgraph(
            name=subgraph_name(number),
            url=f"http://127.0.0.1:{10_000 + number}/graphql",
            sdl=_subgraph_sdl(number, subgraphs, owned, held[number]),
        )
        for number in range(subgraphs)
    ]


def _subgraph_sdl(number: int, subgraphs: int, owned: int, held: list[tuple[int, int, int]]) -> str:
    previous = (number - 1) % subgraphs
    interface = f"Node{number}"
    blocks = [FEDERATION_LINK]
    roots: list[str] = []
    for owner, index, rank in sorted(held):
        name = entity_name(owner, index)
        if rank == 0:
            blocks.append(_owned_entity(name, interface, entity_name(previous, index)))
            blocks.append(f"type Meta{name} {{\n  level: Int\n  note: String\n}}")
            roots.append(f"  {_lower(name)}(id: ID!): {name}")
        else:
            blocks.append(_shared_entity(name, number, rank))
            if rank == 1:
                roots.append(f'  featured{name}: {name} @provides(fields: "score")')
    own = [entity_name(number, index) for index in range(owned)]
    blocks.append(f"interface {interface} {{\n  id: ID!\n  name: String\n}}")
    blocks.append(f"union Result{number} = {' | '.join(own)}")
    roots.append(f"  node{number}(id: ID!): {interface}")
    roots.append(f"  search{number}(text: String!): [Result{number}!]!")
    blocks.append("type Query {\n" + "\n".join(roots) + "\n}")
    return "\n\n".join(blocks) + "\n"


def _owned_entity(name: str, interface: str, previous: str) -> str:
    return (
        f'type {name} implements {interface} @key(fields: "id") {{\n'
        "  id: ID!\n"
        "  name: String @shareable\n"
        "  score: Int @shareable\n"
        f"  meta: Meta{name}\n"
        f"  prev: {previous}\n"
        "}"
    )


def _shared_entity(name: str, number: int, rank: int) -> str:
    lines = [f'type {name} @key(fields: "id") {{', "  id: ID!", f"  in{number}: String"]
    if rank == 1:
        lines += ["  score: Int @external", '  weighted: Int @requires(fields: "score")']
    elif rank == 2:
        lines.append("  name: String @shareable")
    else:
        lines.append("  rank: Int")
    lines.append("}")
    return "\n".join(lines)


def _lower(name: str) -> str:
    return name[0].lower() + name[1:]


def deep_operations(subgraphs: int, types: int, depth: int = 6) -> dict[str, str]:
    """Operations whose plans cross many subgraphs: a chain of `prev` (each a key hop to the
    previous subgraph) with a `@requires` field and a shareable one at every level, and a
    search over a union with a cast to each member."""
    owned = owned_per_subgraph(types)
    start = subgraphs - 1
    levels = min(depth, subgraphs)

    def chain(level: int) -> str:
        inner = f" prev {{ {chain(level + 1)} }}" if level < levels else ""
        return f"id name weighted{inner}"

    root = _lower(entity_name(start, 0))
    selection = "id score meta { level } prev { name weighted }"
    members = " ".join(
        f"... on {entity_name(start, index)} {{ {selection} }}" for index in range(min(owned, 4))
    )
    return {
        "DeepChain": f'query DeepChain {{ {root}(id: "1") {{ {chain(1)} }} }}',
        "SearchUnion": f'query SearchUnion {{ search{start}(text: "a") {{ {members} }} }}',
    }
