"""The operation stage: parse, validate, choose, normalize, limit and hash a client operation."""

from gateway.operation.cache import OperationCache
from gateway.operation.errors import OperationError
from gateway.operation.limits import OperationLimits
from gateway.operation.prepare import prepare
from gateway.operation.prepared import PreparedOperation

__all__ = ["OperationCache", "OperationError", "OperationLimits", "PreparedOperation", "prepare"]
