"""The platform's scopes, in the plain words the consent page shows, and the roles that carry
them on people's tokens (docs/design/tokens.md)."""

from __future__ import annotations

SCOPE_DESCRIPTIONS: dict[str, str] = {
    "apps:read": "Read apps' private settings",
    "apps:write": "Change apps",
    "installs:read": "See this workspace's installed apps",
    "installs:write": "Install, rescope and remove apps in this workspace",
    "marketplace:write": "Write listings and reviews",
    "metrics:read": "Read usage metrics",
    "events:subscribe": "Receive platform events (installs, listing changes, usage alerts)",
    "platform:admin": "Act as platform staff on every app, installation and workspace",
}
ALL_SCOPES = frozenset(SCOPE_DESCRIPTIONS)

# What each role lets a person do, as scopes on their token.
WORKSPACE_ROLE_SCOPES: dict[str, frozenset[str]] = {
    "member": frozenset({"installs:read", "events:subscribe", "marketplace:write"}),
    "admin": frozenset(
        {"installs:read", "installs:write", "events:subscribe", "marketplace:write"}
    ),
}
ORGANIZATION_MEMBER_SCOPES = frozenset({"apps:read", "apps:write", "metrics:read"})
STAFF_ROLE_SCOPES: dict[str, frozenset[str]] = {
    "analyst": frozenset({"metrics:read", "platform:admin"}),
    "reviewer": frozenset({"apps:read", "apps:write", "platform:admin"}),
}


def describe(scope: str) -> str:
    return SCOPE_DESCRIPTIONS.get(scope, scope)


def person_scopes(
    workspace_roles: list[str], organization_id: str | None, staff_roles: list[str]
) -> frozenset[str]:
    """Every scope a person's roles carry."""
    scopes: set[str] = set()
    for role in workspace_roles:
        scopes |= WORKSPACE_ROLE_SCOPES.get(role, frozenset())
    if organization_id is not None:
        scopes |= ORGANIZATION_MEMBER_SCOPES
    for role in staff_roles:
        scopes |= STAFF_ROLE_SCOPES.get(role, frozenset())
    return frozenset(scopes)
