"""The metrics subgraph, as servers, tests and `switchboard dev` start it."""

from subgraphs.common.server import Subgraph
from subgraphs.metrics.loaders import Loaders
from subgraphs.metrics.models import OUTBOX
from subgraphs.metrics.owners import consume
from subgraphs.metrics.schema import schema
from subgraphs.metrics.seed import seed

SUBGRAPH = Subgraph(
    name="metrics",
    port=4104,
    schema=schema,
    make_loaders=lambda database, principal: Loaders(database, principal),
    seed=seed,
    outbox=OUTBOX,
    consume=consume,
)
