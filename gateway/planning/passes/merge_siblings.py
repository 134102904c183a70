"""Merge entity groups that would send the same representations to the same subgraph at the
same time: same service, merge path, conditions, parents and dependencies, and no field their
representations would carry with two values (`@requires` of one field with other arguments)."""

from __future__ import annotations

from gateway.planning.fetch_graph import FetchGraph, FetchGroup, representations_conflict


def _signature(group: FetchGroup) -> tuple[object, ...]:
    return (
        group.service,
        group.is_entity,
        group.merge_path,
        group.conditions,
        tuple(parent.id for parent in group.parents),
        tuple(sorted(dependency.id for dependency in group.dependencies)),
        group.mutation_step,
    )


def merge_siblings(graph: FetchGraph) -> bool:
    seen: dict[tuple[object, ...], FetchGroup] = {}
    for group in list(graph.groups):
        if not group.is_entity:
            continue
        signature = _signature(group)
        kept = seen.get(signature)
        if kept is None or representations_conflict(kept.sent_fields(), group.sent_fields()):
            seen.setdefault(signature, group)
            continue
        kept.selections.merge(group.selections)
        kept.requires.merge(group.requires)
        kept.input_rewrites.extend(
            rewrite for rewrite in group.input_rewrites if rewrite not in kept.input_rewrites
        )
        for child in graph.children(group):
            child.parents = [kept if parent is group else parent for parent in child.parents]
            child.dependencies = [
                kept if dependency is group else dependency for dependency in child.dependencies
            ]
        graph.remove(group)
        return True
    return False
