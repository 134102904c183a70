"""Debug dumps of the planning stages (`switchboard plan --stages`), so a wrong plan can be
seen stage by stage instead of guessed at: the normalized operation, the fetch groups the walk
made, the groups after optimization, and the plan."""

from __future__ import annotations

from graphql import print_ast

from gateway.planning.fetch_graph import FetchGraph, FetchGroup


def dump_fetch_graph(graph: FetchGraph) -> str:
    return "\n".join(dump_group(group) for group in graph.groups) or "(no fetch groups)"


def dump_group(group: FetchGroup) -> str:
    where = f"entity at {'.'.join(group.merge_path)}" if group.is_entity else "root"
    after = ", ".join(str(parent.id) for parent in group.all_parents) or "-"
    lines = [f"[{group.id}] {group.service} ({where}) after: {after}"]
    if group.conditions:
        conditions = ", ".join(
            f"{'' if included else 'not '}${variable}" for variable, included in group.conditions
        )
        lines.append(f"    when: {conditions}")
    if group.mutation_step:
        lines.append(f"    mutation step: {group.mutation_step}")
    if group.requires:
        lines.append("    requires: " + _indented(print_ast(group.requires.to_ast())))
    for rewrite in group.input_rewrites:
        lines.append(f"    input rewrite: {'.'.join(rewrite.path)} = {rewrite.value!r}")
    lines.append("    selects: " + _indented(print_ast(group.selections.to_ast())))
    return "\n".join(lines)


def _indented(text: str) -> str:
    return text.replace("\n", "\n    ")
