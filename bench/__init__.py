"""Reproducible benchmark harness: fast in-memory subgraphs, a load generator, the gateway under
test (and optionally Apollo Gateway), all measured on this machine. Run it with `make bench`."""
