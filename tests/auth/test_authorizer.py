"""`Authorizer`: an operation's requirements found once, a restricted operation built once per
set of denied requirements and shared by every principal denied that set, each cache bounded;
the `@policy` hook asked only about the policies an operation touches."""

from __future__ import annotations

from collections.abc import Set

from gateway.auth import Principal
from gateway.auth.authorizer import Authorizer
from gateway.operation.prepare import prepare
from gateway.operation.prepared import PreparedOperation
from gateway.server import GatewayConfig
from gateway.server.config import CachesConfig
from tests.auth.harness import auth_gateway
from tests.auth.test_policy import QUERY, with_policy

SUPERGRAPH = with_policy()
# `webhookSecret` needs `apps:write`; `webhookUrl` (here) the `internal` policy.
SCOPED = '{ app(id: "a") { name webhookSecret } }'
BOTH = '{ app(id: "a") { name webhookSecret webhookUrl } }'


def operation(source: str) -> PreparedOperation:
    return prepare(source, None, SUPERGRAPH.api_schema)


def scoped(*scopes: str) -> Principal:
    return Principal(app_id="app_1", scopes=frozenset(scopes), authenticated=True)


def test_requirements_are_found_once_per_operation_the_least_recently_used_going_first() -> None:
    authorizer = Authorizer(SUPERGRAPH, capacity=2)
    first, second, third = (operation(source) for source in (SCOPED, BOTH, QUERY))
    found = authorizer.requirements(first)
    assert authorizer.requirements(first) is found
    found_second = authorizer.requirements(second)
    assert found_second is not found
    assert authorizer.requirements(first) is found
    # `second` is now the least recently used: it goes when a third operation comes.
    authorizer.requirements(third)
    assert authorizer.requirements(first) is found
    assert authorizer.requirements(second) is not found_second


def test_an_operation_prepared_again_from_the_same_text_has_requirements_of_its_own() -> None:
    # The requirements point at the field nodes `restrict` takes out: those of an earlier
    # preparation of the text (one the operation cache let go) would take out nothing.
    authorizer = Authorizer(SUPERGRAPH)
    authorizer.requirements(operation(BOTH))
    again = operation(BOTH)
    restricted = authorizer.authorize(again, scoped("apps:write"))
    assert [field.steps for field in restricted.denied] == [("app", "webhookUrl")]


async def test_a_field_stays_denied_once_the_operation_cache_let_the_operation_go() -> None:
    # One operation kept: the second request's operation pushes the first out, and the third
    # prepares it again; its caller, denied `apps:read` where the first was denied
    # `apps:write`, was answered `webhookUrl`.
    query = '{ app(id: "a") { name webhookUrl webhookSecret } }'
    async with auth_gateway(GatewayConfig(caches=CachesConfig(operations=1))) as gateway:
        reader = gateway.issuer.token(app="app_1", scopes={"apps:read"})
        writer = gateway.issuer.token(app="app_1", scopes={"apps:write"})
        first = await gateway.body(query, reader)
        assert first["data"] == {
            "app": {"name": "text", "webhookUrl": "text", "webhookSecret": None}
        }
        await gateway.body('{ app(id: "a") { name } }', reader)
        third = await gateway.body(query, writer)
        assert third["data"] == {
            "app": {"name": "text", "webhookUrl": None, "webhookSecret": "text"}
        }
        assert [error["path"] for error in third["errors"]] == [["app", "webhookUrl"]]


def test_principals_denied_the_same_requirements_share_one_restricted_operation() -> None:
    authorizer = Authorizer(SUPERGRAPH, capacity=2)
    denied = authorizer.authorize(operation(SCOPED), scoped())
    assert [field.steps for field in denied.denied] == [("app", "webhookSecret")]
    assert authorizer.authorize(operation(SCOPED), scoped("apps:read")) is denied
    granted = authorizer.authorize(operation(SCOPED), scoped("apps:write"))
    assert granted.denied == ()
    # Another set denied (the policy too): another restricted operation, then both are kept.
    both = authorizer.authorize(operation(BOTH), scoped())
    policy_only = authorizer.authorize(operation(BOTH), scoped("apps:write"))
    assert len(both.denied) == 2
    assert [field.steps for field in policy_only.denied] == [("app", "webhookUrl")]
    assert authorizer.authorize(operation(BOTH), scoped()) is both
    assert authorizer.authorize(operation(BOTH), scoped("apps:write")) is policy_only
    # A third set pushes out the least recently used (SCOPED's).
    assert authorizer.authorize(operation(SCOPED), scoped()) is not denied


class Hook:
    def __init__(self) -> None:
        self.asked: list[tuple[Principal, frozenset[str]]] = []

    def __call__(self, principal: Principal, policies: frozenset[str]) -> Set[str]:
        self.asked.append((principal, policies))
        return {"internal", "unrelated"}


def test_the_policy_hook_is_asked_about_the_operations_policies_only() -> None:
    hook = Hook()
    authorizer = Authorizer(SUPERGRAPH, hook)
    caller = scoped()
    assert len(authorizer.authorize(operation(SCOPED), caller).denied) == 1
    assert hook.asked == []
    denied = authorizer.authorize(operation(BOTH), caller)
    assert hook.asked == [(caller, frozenset({"internal"}))]
    assert [field.steps for field in denied.denied] == [("app", "webhookSecret")]
