"""Schema views are built once per set of denied requirements and kept, the least recently
used one going first once `VIEW_CAPACITY` sets are kept (`gateway/auth/schema_view.py`)."""

from __future__ import annotations

import pytest

from gateway.auth import SchemaViews
from gateway.auth import schema_view as schema_view_module
from tests.auth.harness import platform_supergraph


def test_a_view_is_built_once_per_denied_set_and_the_least_recently_used_goes_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(schema_view_module, "VIEW_CAPACITY", 2)
    supergraph = platform_supergraph()
    views = SchemaViews(supergraph.api_schema, supergraph.types)
    first, second, third = (
        frozenset({requirement}) for requirement in sorted(views.requirements, key=repr)[:3]
    )

    assert views.view(frozenset()) is supergraph.api_schema
    kept_first = views.view(first)
    kept_second = views.view(second)
    assert views.view(first) is kept_first  # and `first` is now the most recently used
    # Full: the third set pushes out the least recently used, `second`, and keeps `first`.
    views.view(third)
    assert views.view(first) is kept_first
    assert views.view(second) is not kept_second
