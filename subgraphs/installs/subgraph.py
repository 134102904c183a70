"""The installs subgraph, as servers, tests and `switchboard dev` use it."""

from __future__ import annotations

from subgraphs.common.server import Subgraph
from subgraphs.installs.app_replica import consume
from subgraphs.installs.loaders import Loaders
from subgraphs.installs.models import OUTBOX
from subgraphs.installs.oauth.routes import identity_routes
from subgraphs.installs.schema import schema
from subgraphs.installs.seed import seed

SUBGRAPH = Subgraph(
    name="installs",
    port=4102,
    schema=schema,
    make_loaders=lambda database, principal: Loaders(database, principal),
    seed=seed,
    outbox=OUTBOX,
    consume=consume,
    routes=identity_routes,
)
