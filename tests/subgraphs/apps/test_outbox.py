"""Mutations stage their events in the outbox: a failing bus does not fail the mutation, and a
change that does not commit announces nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from subgraphs.apps.models import OUTBOX
from subgraphs.apps.subgraph import SUBGRAPH
from subgraphs.common.events import EventType
from subgraphs.demo.world import World
from tests.subgraphs.apps.conftest import owner_of
from tests.subgraphs.conftest import MakeHarness
from tests.subgraphs.harness import FlakyBus, SubgraphHarness

CREATE = """mutation { createApp(input: {name: "Outbox Demo", slug: "outbox-demo"}) {
    id status
} }"""
SUBMIT = "mutation($id: ID!) { submitAppForReview(id: $id) { id status } }"


async def pending(harness: SubgraphHarness) -> list[Any]:
    table = OUTBOX.table
    async with harness.database.engine.connect() as connection:
        statement = sa.select(table).where(table.c.published_at.is_(None)).order_by(table.c.id)
        return list(await connection.execute(statement))


async def test_a_failing_bus_does_not_fail_the_mutation(
    make_harness: MakeHarness, demo: World
) -> None:
    bus = FlakyBus(down=True)
    harness = await make_harness(SUBGRAPH, seed=True, bus=bus)
    owner = owner_of(demo.apps[0])

    created = (await harness.data(CREATE, principal=owner))["createApp"]
    assert created["status"] == "DRAFT"
    assert bus.published == []
    [waiting] = await pending(harness)
    assert (waiting.type, waiting.app_id, waiting.attempts) == ("app.updated", created["id"], 1)

    bus.down = False
    await harness.data(SUBMIT, {"id": created["id"]}, principal=owner)
    # The next relay publishes the stranded event first, then the new one, each once.
    assert [(e.type, e.payload["change"]) for e in bus.published] == [
        (EventType.APP_UPDATED, "create"),
        (EventType.APP_STATUS_CHANGED, "submit for review"),
    ]
    assert await pending(harness) == []


@pytest.fixture
def failing_commit(harness: SubgraphHarness) -> Iterator[None]:
    """Once `harness` is seeded, the next commit fails after the mutation has staged its event
    (as a check between staging and committing would); the ones after succeed."""
    failed = False

    def fail_once(_session: Session) -> None:
        nonlocal failed
        if not failed:
            failed = True
            raise ConnectionError("the database went away")

    event.listen(Session, "before_commit", fail_once)
    yield
    event.remove(Session, "before_commit", fail_once)


@pytest.mark.usefixtures("failing_commit")
async def test_a_change_that_does_not_commit_announces_nothing(
    harness: SubgraphHarness, demo: World
) -> None:
    errors = await harness.errors(CREATE, principal=owner_of(demo.apps[0]))
    assert errors[0]["path"] == ["createApp"]
    assert harness.bus.published == []
    assert await pending(harness) == []
    missing = await harness.data('{ appBySlug(slug: "outbox-demo") { id } }')
    assert missing == {"appBySlug": None}
