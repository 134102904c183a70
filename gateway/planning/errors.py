"""Errors of the planning stage.

PlanningError: the supergraph cannot satisfy this (valid) operation: internal, never a
client error, because composition guarantees every valid operation has a plan.
"""

from __future__ import annotations


class PlanningError(Exception):
    code = "QUERY_PLANNING_FAILED"
