"""`Walks`: the objects at flatten paths, found once while the tree under them stays as it is.

A plan's entity fetches walk the merged tree from its root to the objects they extend, and the
same paths come back: the parts of one `BatchFetch` share prefixes
(`users.@.reviews.@.product` and `users.@.reviews.@.product.reviews.@.author…`), and later steps
walk the paths earlier ones did (an `@requires` hop fetches at the path an earlier fetch already
extended). Walking is most of an entity fetch's cost on a large answer, and mostly cache misses:
each step touches objects that other requests' trees have pushed out of the CPU's caches.

So each path's walk is kept, prefix by prefix, in a trie mirroring the paths, and reused until a
merge could change what it finds. What a walk finds changes only when a key on its path is
written: the objects along it are dicts that later fetches add keys to, never replace, unless
they write the key that holds them. So when a fetch merges its answers into the objects at
path P, writing keys K (the keys its answers actually have, not the ones asked for), the kept
walks below P through a key of K are forgotten, and the groupings at P that read a key of K
(`grouping`). A root fetch's answer forgets everything. Lists are matched by key alone: a
path's `@` steps, or their absence where a list is looked into, do not change which positions it
goes through. Objects reached by two paths share a pattern (one fetch's answer merged into
several objects of the same flatten path), so forgetting by pattern is enough.

Kept walks answer exactly what walking again would: the same objects, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from typing import Any

from gateway.execution.representations import Grouped
from gateway.planning.nodes import LIST_MARKER

JsonObject = dict[str, Any]


class _Node:
    """A walked path: the values found at it, and its walked extensions by step."""

    __slots__ = ("children", "found", "groupings", "objects")

    def __init__(self, found: list[Any]) -> None:
        self.found = found
        self.objects: list[JsonObject] | None = None
        self.children: dict[str, _Node] = {}
        # Groupings of `objects`, by what they read: (key, the keys read, the grouping).
        self.groupings: dict[Hashable, tuple[Collection[str], Grouped]] = {}


class Walks:
    __slots__ = ("_at", "_root")

    def __init__(self, data: JsonObject) -> None:
        self._root = _Node([data])
        # The kept nodes by position: their path's keys without `@` steps.
        self._at: dict[tuple[str, ...], list[_Node]] = {(): [self._root]}

    def objects(self, path: Sequence[str]) -> list[JsonObject]:
        """The objects at `path`, as `paths.objects_at` finds them. The caller must not
        change the list."""
        node = self._node(path)
        objects = node.objects
        if objects is None:
            objects = node.objects = _objects(node.found)
        return objects

    def grouping(
        self,
        path: Sequence[str],
        key: Hashable,
        reads: Collection[str],
        group: Callable[[list[JsonObject]], Grouped],
    ) -> Grouped:
        """`group(objects at path)`, kept under `key` until a merge at `path` writes one of
        the keys it `reads`. The caller must not change the lists."""
        node = self._node(path)
        kept = node.groupings.get(key)
        if kept is not None:
            return kept[1]
        objects = node.objects
        if objects is None:
            objects = node.objects = _objects(node.found)
        grouped = group(objects)
        node.groupings[key] = (reads, grouped)
        return grouped

    def wrote(self, path: Sequence[str], answers: Iterable[Any]) -> None:
        """`answers` were merged into the objects at `path`: forget what the keys they hold
        may change. (Their keys are read only when something kept there could change.)"""
        nodes = self._at.get(tuple(step for step in path if step != LIST_MARKER))
        if not nodes or not any(node.children or node.groupings for node in nodes):
            return
        keys: set[str] = set()
        for answer in answers:
            if isinstance(answer, dict):
                keys.update(answer)
        for node in nodes:
            # A forgotten child's own kept descendants stay in `_at`, unreachable: forgetting
            # in them again changes nothing.
            for step in [step for step in node.children if step in keys]:
                del node.children[step]
            for kept in [
                kept for kept, (reads, _) in node.groupings.items() if _any_in(reads, keys)
            ]:
                del node.groupings[kept]

    def forget(self) -> None:
        """The root received an answer: every walk may have changed."""
        self._root = _Node(self._root.found)
        self._at = {(): [self._root]}

    def _node(self, path: Sequence[str]) -> _Node:
        node = self._root
        position: tuple[str, ...] = ()
        for step in path:
            if step != LIST_MARKER:
                position = (*position, step)
            child = node.children.get(step)
            if child is None:
                child = node.children[step] = _Node(_step(node.found, step))
                self._at.setdefault(position, []).append(child)
            node = child
        return node


def _any_in(reads: Collection[str], keys: Collection[str]) -> bool:
    return any(read in keys for read in reads)


def _step(current: list[Any], step: str) -> list[Any]:
    following: list[Any] = []
    if step == LIST_MARKER:
        for value in current:
            if isinstance(value, list):
                following.extend(value)
    else:
        for value in current:
            if isinstance(value, dict):
                child = value.get(step)
                if child is not None:
                    following.append(child)
    return following


def _objects(found: list[Any]) -> list[JsonObject]:
    objects: list[JsonObject] = []
    _collect_objects(found, objects)
    return objects


def _collect_objects(found: list[Any], objects: list[JsonObject]) -> None:
    for value in found:
        if isinstance(value, dict):
            objects.append(value)
        elif isinstance(value, list):
            _collect_objects(value, objects)
