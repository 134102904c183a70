"""The planning stage: a prepared operation → a query plan (`nodes.py`), cached and printable."""

from gateway.planning.cache import PlanCache
from gateway.planning.errors import PlanningError
from gateway.planning.planner import plan
from gateway.planning.printer import print_plan

__all__ = ["PlanCache", "PlanningError", "plan", "print_plan"]
