"""The planning stage: a prepared operation → a query plan (`nodes.py`), cached and printable."""

from gateway.planning.cache import PlanCache
from gateway.planning.errors import PlanningError
from gateway.planning.override_labels import OverrideLabels, RandomSource
from gateway.planning.planner import plan
from gateway.planning.printer import print_plan

__all__ = ["OverrideLabels", "PlanCache", "PlanningError", "RandomSource", "plan", "print_plan"]
