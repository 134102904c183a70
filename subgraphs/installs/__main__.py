from subgraphs.common.server import run
from subgraphs.installs.subgraph import SUBGRAPH

run(SUBGRAPH)
