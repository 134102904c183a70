"""Demo usage: 30 days ending at the world's `DEMO_NOW`, for every active installation.

`seed` loads the whole demo; `seed_usage` loads any slice of it, so tests can seed a handful of
installations over a few days instead of the full month. Rows go in as chunked executemany
inserts; see `traffic.py` for what is generated and at which resolution.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import select

from subgraphs.common.database import Database
from subgraphs.demo.world import DEMO_NOW, USAGE_DAYS, Installation, world
from subgraphs.metrics.models import UsageFieldHourlyRow, UsageHourlyRow, UsageOperationHourlyRow
from subgraphs.metrics.owners import record_owners
from subgraphs.metrics.traffic import generate

INSERT_CHUNK = 5000
SEED_DAYS_VARIABLE = "SWITCHBOARD_SEED_USAGE_DAYS"


def active_installations() -> list[Installation]:
    return [
        installation for installation in world().installations if installation.status == "ACTIVE"
    ]


async def seed(database: Database) -> None:
    """Idempotent: does nothing if any usage is stored already. The apps' owners are always
    seeded; `SWITCHBOARD_SEED_USAGE_DAYS=0` leaves out the usage history (the slow part), for
    a platform that only needs the usage it records itself."""
    await record_owners(database, [(app.id, app.organization_id) for app in world().apps])
    days = int(os.environ.get(SEED_DAYS_VARIABLE) or USAGE_DAYS)
    if days > 0:
        await seed_usage(database, active_installations(), days=days)


async def seed_usage(
    database: Database,
    installations: Iterable[Installation],
    *,
    days: int,
    now: datetime = DEMO_NOW,
) -> None:
    """Seed `days` days of usage ending at `now` for `installations`, unless usage exists."""
    async with database.session() as session:
        if (await session.exec(select(UsageHourlyRow.app_id).limit(1))).first() is not None:
            return
        rows = generate(installations, days=days, now=now)
        for model, values in (
            (UsageHourlyRow, rows.usage),
            (UsageOperationHourlyRow, rows.operations),
            (UsageFieldHourlyRow, rows.fields),
        ):
            table: Any = model.__table__  # type: ignore[attr-defined]
            for start in range(0, len(values), INSERT_CHUNK):
                await session.exec(table.insert(), params=values[start : start + INSERT_CHUNK])
        await session.commit()
