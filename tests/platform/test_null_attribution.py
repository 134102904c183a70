"""Where a subgraph's null lands, its error explains it, and nothing else is reported.

A subgraph that nulls a parent because one child failed (a non-null field with a bad argument
nulls the whole response, or the `_entities` element) leaves the parent's other fields absent.
The gateway must pass on the child's error alone: no `RESPONSE_VALIDATION_FAILED` for the
siblings, whichever field comes first. Each case compares with the owning subgraph's own answer.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from subgraphs.common.principal import ADMIN_SCOPE, Principal
from subgraphs.demo.world import world
from tests.platform.conftest import Platform

pytestmark = pytest.mark.asyncio(loop_scope="package")

ROOT_FIELDS = ("platformUsage(granularity: DAY) { start }", "topApps(limit: -1) { requests }")
APP_FIELDS = ("usageSummary { requests }", "topOperations(limit: -1) { hash }")
ORDERS = ["failing-last", "failing-first"]
WRITER = Principal(scopes=frozenset({ADMIN_SCOPE, "installs:write", "installs:read"}))


def shape(errors: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    return sorted(((error.get("path"), error["extensions"]["code"]) for error in errors), key=repr)


@pytest.mark.parametrize("order", [ROOT_FIELDS, ROOT_FIELDS[::-1]], ids=ORDERS)
async def test_a_root_sibling_of_a_failed_field_gets_no_error(
    platform: Platform, order: tuple[str, str]
) -> None:
    query = "{ " + " ".join(order) + " }"
    direct = await platform.ask_subgraph_body("metrics", query)
    body = await platform.query(query)
    assert direct["data"] is None
    assert body["data"] is None
    assert shape(body["errors"]) == shape(direct["errors"]) == [(["topApps"], "BAD_USER_INPUT")]


@pytest.mark.parametrize("order", [APP_FIELDS, APP_FIELDS[::-1]], ids=ORDERS)
async def test_an_entity_sibling_of_a_failed_field_gets_no_error(
    platform: Platform, order: tuple[str, str]
) -> None:
    app = world().apps[0]
    fields = " ".join(order)
    direct = await platform.ask_subgraph_body(
        "metrics",
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on App { " + fields + " } } }",
        {"r": [{"__typename": "App", "id": app.id}]},
    )
    assert direct["data"] == {"_entities": [None]}
    body = await platform.query(f'{{ app(id: "{app.id}") {{ name {fields} }} }}')
    # `topOperations` is non-null: the app, nullable, takes its null.
    assert body["data"] == {"app": None}
    assert shape(body["errors"]) == [(["app", "topOperations"], "BAD_USER_INPUT")]
    assert [error["path"][2:] for error in direct["errors"]] == [["topOperations"]]


async def test_a_committed_mutation_is_not_reported_as_failed(platform: Platform) -> None:
    slug = f"attribution-{uuid.uuid4().hex[:8]}"
    body = await platform.query(
        "mutation { "
        f'a: createWorkspace(input: {{slug: "{slug}", name: "A"}}) {{ slug }} '
        f'b: createWorkspace(input: {{slug: "{slug}", name: "B"}}) {{ slug }} }}',
        WRITER,
    )
    # `b` conflicts; the subgraph nulls the whole (non-null) response for it, `a` committed.
    assert body["data"] is None
    assert shape(body["errors"]) == [(["b"], "CONFLICT")]
    committed = await platform.query(f'{{ workspaceBySlug(slug: "{slug}") {{ name }} }}', WRITER)
    assert committed == {"data": {"workspaceBySlug": {"name": "A"}}}


async def test_a_failed_first_mutation_is_the_only_error(platform: Platform) -> None:
    taken = world().workspaces[0].slug
    fresh = f"attribution-{uuid.uuid4().hex[:8]}"
    body = await platform.query(
        "mutation { "
        f'a: createWorkspace(input: {{slug: "{taken}", name: "A"}}) {{ slug }} '
        f'b: createWorkspace(input: {{slug: "{fresh}", name: "B"}}) {{ slug }} }}',
        WRITER,
    )
    assert body["data"] is None
    assert shape(body["errors"]) == [(["a"], "CONFLICT")]
