"""The platform graph served through the gateway: the four seeded subgraphs mounted in process,
one marketplace page crossing all of them, checked against the demo world and against each
subgraph asked directly — and planned so each subgraph is asked once per plan level.
Run over both database backends."""

from __future__ import annotations

from collections import Counter
from statistics import mean

import orjson
import pytest

from subgraphs.demo.world import world
from tests.platform.conftest import Platform

pytestmark = pytest.mark.asyncio(loop_scope="package")


MARKETPLACE_PAGE = """
query MarketplacePage {
  listings(first: 12, sort: NAME) {
    totalCount
    nodes {
      tagline
      averageRating
      app {
        name
        organization { name }
        installCount
        usageSummary { requests }
      }
    }
  }
}
"""


async def test_marketplace_page_crosses_all_four_subgraphs(platform: Platform) -> None:
    body = await platform.query(MARKETPLACE_PAGE)
    assert "errors" not in body, body["errors"]
    listings = body["data"]["listings"]

    demo = world()
    published = sorted(
        (app for app in demo.apps if app.status == "PUBLISHED"), key=lambda app: app.name.lower()
    )
    assert listings["totalCount"] == len(published)
    organizations = {organization.id: organization.name for organization in demo.organizations}
    active = Counter(i.app_id for i in demo.installations if i.status == "ACTIVE")
    ratings: dict[str, list[int]] = {}
    for review in demo.reviews:
        ratings.setdefault(review.app_id, []).append(review.rating)

    usage = await platform.ask_subgraph(
        "metrics",
        "query($r: [_Any!]!) { _entities(representations: $r) "
        "{ ... on App { usageSummary { requests } } } }",
        {"r": [{"__typename": "App", "id": app.id} for app in published[:12]]},
    )
    for node, app, app_usage in zip(
        listings["nodes"], published[:12], usage["_entities"], strict=True
    ):
        assert node["tagline"] == app.tagline
        assert node["averageRating"] == pytest.approx(mean(ratings[app.id]), abs=0.01)
        assert node["app"] == {
            "name": app.name,
            "organization": {"name": organizations[app.organization_id]},
            "installCount": active[app.id],
            "usageSummary": app_usage["usageSummary"],
        }
        assert app_usage["usageSummary"]["requests"] > 0


async def test_each_subgraph_is_asked_once_per_plan_level(platform: Platform) -> None:
    platform.transport.requests.clear()
    body = await platform.query(MARKETPLACE_PAGE)
    assert "errors" not in body

    asked = [
        (host, "_entities" in request["query"]) for host, request in platform.transport.requests
    ]
    # Level 1: the listings page. Level 2: the page's apps, from apps, installs and metrics at
    # once. Level 3: the organizations' names... are resolved by apps within level 2.
    assert sorted(asked) == [
        ("apps", True),
        ("installs", True),
        ("marketplace", False),
        ("metrics", True),
    ]
    representations = {
        host: request["variables"]["representations"]
        for host, request in platform.transport.requests
        if "_entities" in request["query"]
    }
    for host, sent in representations.items():
        # Twelve listings, twelve distinct apps: each representation sent once.
        assert len(sent) == 12, host
        assert len({orjson.dumps(r) for r in sent}) == 12, host
