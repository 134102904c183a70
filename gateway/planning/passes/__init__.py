"""Optimization passes over the fetch graph, one idea per module, run by `optimize`."""

from gateway.planning.passes.driver import optimize

__all__ = ["optimize"]
