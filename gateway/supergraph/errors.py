"""Errors of the supergraph stage.

SupergraphError (code INVALID_SUPERGRAPH): the SDL is not a supergraph this gateway can serve.
"""

from __future__ import annotations


class SupergraphError(Exception):
    code = "INVALID_SUPERGRAPH"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
