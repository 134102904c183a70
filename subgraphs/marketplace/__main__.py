from subgraphs.common.server import run
from subgraphs.marketplace.subgraph import SUBGRAPH

run(SUBGRAPH)
