"""`Walks`: kept walks of flatten paths answer exactly what walking the tree again would, while
fetches merge their answers into it (`gateway/execution/walks.py`)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.execution.merge import deep_merge
from gateway.execution.paths import objects_at
from gateway.execution.walks import Walks

KEYS = ("a", "b", "c")


def fresh(data: dict[str, Any], path: tuple[str, ...]) -> list[dict[str, Any]]:
    return [found for _, found in objects_at(data, path)]


def same_objects(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> bool:
    return len(left) == len(right) and all(a is b for a, b in zip(left, right, strict=True))


def merge_at(walks: Walks, data: dict[str, Any], path: tuple[str, ...], answer: Any) -> None:
    """What `PlanRun.absorb` does: one answer merged into every object at `path`."""
    for target in fresh(data, path):
        deep_merge(target, answer)
    walks.wrote(path, [answer])


def test_a_walk_finds_what_walking_again_finds_and_is_kept() -> None:
    data: dict[str, Any] = {"a": [{"b": {"id": 1}}, None, {"b": [{"id": 2}, [{"id": 3}]]}]}
    walks = Walks(data)
    found = walks.objects(("a", "@", "b"))
    assert same_objects(found, fresh(data, ("a", "@", "b")))
    assert [value["id"] for value in found] == [1, 2, 3]
    assert walks.objects(("a", "@", "b")) is found


def test_a_key_written_on_the_path_is_walked_again() -> None:
    data: dict[str, Any] = {"a": [{"id": 1}, {"id": 2}]}
    walks = Walks(data)
    assert walks.objects(("a", "@", "b")) == []
    merge_at(walks, data, ("a", "@"), {"b": {"id": 3}})
    assert [value["id"] for value in walks.objects(("a", "@", "b"))] == [3, 3]


def test_a_write_at_a_path_without_its_list_marker_reaches_the_walks_with_it() -> None:
    data: dict[str, Any] = {"a": [{"id": 1}]}
    walks = Walks(data)
    assert walks.objects(("a", "@", "b")) == []
    # The objects at `a` are the list's elements, as at `a.@`.
    merge_at(walks, data, ("a",), {"b": {"id": 2}})
    assert [value["id"] for value in walks.objects(("a", "@", "b"))] == [2]


def test_other_keys_written_keep_the_walk() -> None:
    data: dict[str, Any] = {"a": [{"b": {"id": 1}}]}
    walks = Walks(data)
    found = walks.objects(("a", "@", "b"))
    merge_at(walks, data, ("a", "@"), {"name": "x"})
    assert walks.objects(("a", "@", "b")) is found


def test_a_grouping_is_kept_until_a_key_it_reads_is_written() -> None:
    data: dict[str, Any] = {"a": [{"id": 1}, {"id": 1}]}
    walks = Walks(data)
    calls: list[int] = []

    def group(objects: list[dict[str, Any]]) -> Any:
        calls.append(len(objects))
        return ([{"id": objects[0]["id"]}], [objects])

    walks.grouping(("a", "@"), "key", ("id",), group)
    merge_at(walks, data, ("a", "@"), {"name": "x"})
    walks.grouping(("a", "@"), "key", ("id",), group)
    assert calls == [2]
    merge_at(walks, data, ("a", "@"), {"id": 2})
    assert walks.grouping(("a", "@"), "key", ("id",), group)[0] == [{"id": 2}]
    assert calls == [2, 2]


def test_a_root_answer_forgets_every_walk() -> None:
    data: dict[str, Any] = {}
    walks = Walks(data)
    assert walks.objects(("a", "@")) == []
    deep_merge(data, {"a": [{"id": 1}]})
    walks.forget()
    assert walks.objects(("a", "@")) == [{"id": 1}]


steps = st.sampled_from((*KEYS, "@"))
paths = st.lists(steps, max_size=4).map(tuple)
leaves = st.one_of(st.none(), st.integers(0, 3))
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.sampled_from(KEYS), children)
    ),
    max_leaves=12,
)
answers = st.dictionaries(st.sampled_from(KEYS), trees, max_size=2)
operations = st.lists(st.tuples(st.booleans(), paths, answers), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), trees), operations, st.lists(paths, max_size=4))
def test_kept_walks_equal_fresh_walks_whatever_is_merged(
    data: dict[str, Any],
    steps_taken: list[tuple[bool, tuple[str, ...], dict[str, Any]]],
    watched: list[tuple[str, ...]],
) -> None:
    walks = Walks(data)
    for merge, path, answer in steps_taken:
        if merge:
            merge_at(walks, data, path, answer)
        else:
            assert same_objects(walks.objects(path), fresh(data, path))
        for kept in watched:
            assert same_objects(walks.objects(kept), fresh(data, kept))
