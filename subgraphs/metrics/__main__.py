from subgraphs.common.server import run
from subgraphs.metrics.subgraph import SUBGRAPH

run(SUBGRAPH)
