"""The apps subgraph as the server, `switchboard dev` and the tests see it."""

from __future__ import annotations

from subgraphs.apps.loaders import Loaders
from subgraphs.apps.models import OUTBOX
from subgraphs.apps.schema import schema
from subgraphs.apps.seed import seed
from subgraphs.common.server import Subgraph

SUBGRAPH = Subgraph(
    name="apps",
    port=4101,
    schema=schema,
    make_loaders=lambda database, principal: Loaders(database, principal),
    seed=seed,
    outbox=OUTBOX,
)
