"""`Authorizer`: (operation, principal) → the operation the principal may run, cached.

Per request this costs the operation's requirement list (found once per operation) tested
against the principal, and one dictionary lookup: the restricted operation, and so its plan
(the plan cache keys by the restricted operation's hash), is shared by every principal that is
denied the same requirements. Nothing is planned per request.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from threading import Lock
from typing import TypeVar

from graphql import GraphQLSchema

from gateway.auth.policy import PolicyHook, deny_all
from gateway.auth.principal import Principal
from gateway.auth.requirements import OperationRequirements
from gateway.auth.restrict import AuthorizedOperation, restrict
from gateway.operation.prepared import PreparedOperation
from gateway.supergraph import Supergraph
from gateway.supergraph.model import Authorization

DEFAULT_CAPACITY = 1024
K = TypeVar("K")
V = TypeVar("V")


def satisfies(principal: Principal, requirement: Authorization, policies: frozenset[str]) -> bool:
    if requirement.authenticated and not principal.authenticated:
        return False
    scopes = principal.scopes
    if requirement.scopes and not any(scopes.issuperset(all_of) for all_of in requirement.scopes):
        return False
    return not requirement.policies or any(
        policies.issuperset(all_of) for all_of in requirement.policies
    )


def policies_in(requirements: Iterable[Authorization]) -> frozenset[str]:
    return frozenset(
        policy
        for requirement in requirements
        for all_of in requirement.policies
        for policy in all_of
    )


def denied_requirements(
    principal: Principal, requirements: Iterable[Authorization], policy_hook: PolicyHook
) -> frozenset[Authorization]:
    requirements = tuple(requirements)
    asked = policies_in(requirements)
    granted = frozenset(policy_hook(principal, asked)) & asked if asked else frozenset()
    return frozenset(
        requirement
        for requirement in requirements
        if not satisfies(principal, requirement, granted)
    )


class Authorizer:
    def __init__(
        self,
        supergraph: Supergraph,
        policy_hook: PolicyHook = deny_all,
        capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        self.supergraph = supergraph
        self.policy_hook = policy_hook
        self.capacity = capacity
        self._requirements: OrderedDict[
            tuple[str, str | None], tuple[PreparedOperation, OperationRequirements]
        ] = OrderedDict()
        self._restricted: OrderedDict[
            tuple[str, str | None, frozenset[Authorization]], AuthorizedOperation
        ] = OrderedDict()
        self._lock = Lock()

    @property
    def api_schema(self) -> GraphQLSchema:
        return self.supergraph.api_schema

    def requirements(self, operation: PreparedOperation) -> OperationRequirements:
        key = (operation.hash, operation.name)
        with self._lock:
            entry = self._requirements.get(key)
            # Requirements point at the operation's own field nodes, which `restrict` finds by
            # identity: an operation prepared again from the same text (the operation cache
            # let it go) needs its own, or nothing denied would be taken out of it.
            if entry is not None and entry[0] is operation:
                self._requirements.move_to_end(key)
                return entry[1]
        found = OperationRequirements.of(self.supergraph.types, self.api_schema, operation)
        with self._lock:
            _remember(self._requirements, key, (operation, found), self.capacity)
        return found

    def authorize(self, operation: PreparedOperation, principal: Principal) -> AuthorizedOperation:
        requirements = self.requirements(operation)
        if not requirements.distinct:
            return AuthorizedOperation(operation)
        denied = denied_requirements(principal, requirements.distinct, self.policy_hook)
        if not denied:
            return AuthorizedOperation(operation)
        key = (operation.hash, operation.name, denied)
        with self._lock:
            found = self._restricted.get(key)
            if found is not None:
                self._restricted.move_to_end(key)
                return found
        found = restrict(operation, requirements, denied)
        with self._lock:
            _remember(self._restricted, key, found, self.capacity)
        return found


def _remember(entries: OrderedDict[K, V], key: K, value: V, capacity: int) -> None:
    entries[key] = value
    entries.move_to_end(key)
    while len(entries) > capacity:
        entries.popitem(last=False)
