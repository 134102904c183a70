"""Who is calling a subgraph, as the gateway vouches for it.

The gateway verifies the client's token and forwards the claims in `x-switchboard-*` headers;
subgraphs sit behind the gateway and trust them. Without those headers the caller is anonymous.
Scopes are enforced by the gateway from the schema's `@requiresScopes`; subgraphs use the
principal for ownership (an integration sees only its own installations, an organization only
its own apps' secrets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

APP_HEADER = "x-switchboard-app-id"
INSTALLATION_HEADER = "x-switchboard-installation-id"
WORKSPACE_HEADER = "x-switchboard-workspace-id"
ORGANIZATION_HEADER = "x-switchboard-organization-id"
SCOPES_HEADER = "x-switchboard-scopes"
ADMIN_SCOPE = "platform:admin"
PRINCIPAL_HEADERS = (
    APP_HEADER,
    INSTALLATION_HEADER,
    WORKSPACE_HEADER,
    ORGANIZATION_HEADER,
    SCOPES_HEADER,
)


@dataclass(frozen=True)
class Principal:
    app_id: str | None = None
    installation_id: str | None = None
    workspace_id: str | None = None
    organization_id: str | None = None
    scopes: frozenset[str] = frozenset()

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> Principal:
        return cls(
            app_id=headers.get(APP_HEADER) or None,
            installation_id=headers.get(INSTALLATION_HEADER) or None,
            workspace_id=headers.get(WORKSPACE_HEADER) or None,
            organization_id=headers.get(ORGANIZATION_HEADER) or None,
            scopes=frozenset((headers.get(SCOPES_HEADER) or "").split()),
        )

    def to_headers(self) -> dict[str, str]:
        headers = {
            APP_HEADER: self.app_id,
            INSTALLATION_HEADER: self.installation_id,
            WORKSPACE_HEADER: self.workspace_id,
            ORGANIZATION_HEADER: self.organization_id,
            SCOPES_HEADER: " ".join(sorted(self.scopes)) or None,
        }
        return {name: value for name, value in headers.items() if value}

    @property
    def is_anonymous(self) -> bool:
        return not (self.app_id or self.organization_id or self.workspace_id or self.scopes)

    @property
    def is_admin(self) -> bool:
        return ADMIN_SCOPE in self.scopes

    @property
    def is_integration(self) -> bool:
        """An installed app calling with its install token."""
        return self.app_id is not None

    def may_see_app(self, app_id: str, owner_organization_id: str | None = None) -> bool:
        """Private data of an app: its owner organization, the app itself, or an admin."""
        if self.is_admin:
            return True
        if self.app_id is not None:
            return self.app_id == app_id
        return owner_organization_id is not None and owner_organization_id == self.organization_id


ANONYMOUS = Principal()
