"""The `@policy` hook: which of the policies an operation needs the caller is granted.

Configured in switchboard.yaml as `auth.policy_hook: "package.module:function"`; the function
takes the `Principal` and the policy names in question and returns the granted ones. Without a
hook every policy is denied (Apollo Router's default too: no coprocessor, no policy).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Set

from gateway.auth.errors import AuthConfigError
from gateway.auth.principal import Principal

PolicyHook = Callable[[Principal, frozenset[str]], Set[str]]


def deny_all(principal: Principal, policies: frozenset[str]) -> Set[str]:
    return frozenset()


def load_policy_hook(reference: str | None) -> PolicyHook:
    if not reference:
        return deny_all
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise AuthConfigError("auth.policy_hook is `package.module:function`")
    try:
        hook = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise AuthConfigError(f"auth.policy_hook {reference!r}: {error}") from None
    if not callable(hook):
        raise AuthConfigError(f"auth.policy_hook {reference!r} is not callable")
    checked: PolicyHook = hook
    return checked
