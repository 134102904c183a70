from subgraphs.apps.subgraph import SUBGRAPH
from subgraphs.common.server import run

run(SUBGRAPH)
