"""The metrics subgraph: usage recorded by the gateway, and the questions asked about it."""
