"""The marketplace subgraph as the server, the tests and `switchboard dev` see it."""

from __future__ import annotations

from subgraphs.common.server import Subgraph
from subgraphs.marketplace.consumer import consume
from subgraphs.marketplace.loaders import Loaders
from subgraphs.marketplace.models import OUTBOX
from subgraphs.marketplace.schema import schema
from subgraphs.marketplace.seed import seed

SUBGRAPH = Subgraph(
    name="marketplace",
    port=4103,
    schema=schema,
    make_loaders=lambda database, principal: Loaders(database, principal),
    seed=seed,
    outbox=OUTBOX,
    consume=consume,
)
