"""The demand-control stage's error: an operation refused for its estimated cost.

ClientError
└── CostTooExpensive    COST_ESTIMATED_TOO_EXPENSIVE, before any fetch (Apollo Router's code)
"""

from __future__ import annotations

from graphql import GraphQLError

from gateway.errors import ClientError

COST_ESTIMATED_TOO_EXPENSIVE = "COST_ESTIMATED_TOO_EXPENSIVE"


class CostTooExpensive(ClientError):
    def __init__(self, estimated: int, maximum: int) -> None:
        message = f"Operation estimated cost {estimated} exceeded configured maximum {maximum}"
        extensions = {
            "code": COST_ESTIMATED_TOO_EXPENSIVE,
            "cost": {"estimated": estimated, "max": maximum},
        }
        super().__init__(
            COST_ESTIMATED_TOO_EXPENSIVE, [GraphQLError(message, extensions=extensions)]
        )
        self.estimated = estimated
        self.maximum = maximum
