"""Drop groups that select nothing (every field they were created for went elsewhere); their
children, if any, are re-attached to the dropped group's parents."""

from __future__ import annotations

from gateway.planning.fetch_graph import FetchGraph


def remove_empty(graph: FetchGraph) -> bool:
    changed = False
    for group in list(graph.groups):
        if group.selections:
            continue
        for child in graph.children(group):
            for parent in group.parents:
                if parent not in child.parents:
                    child.parents.append(parent)
        graph.remove(group)
        changed = True
    return changed
