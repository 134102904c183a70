"""Who is calling a subgraph, as its verified access token says (docs/design/tokens.md).

Subgraphs trust no header that names a principal: the gateway forwards the client's token and
each subgraph verifies it again (`subgraphs/common/tokens.py`). Without a token the caller is
anonymous. Scopes are enforced by the gateway from the schema's `@requiresScopes`; subgraphs
use the principal for ownership (an integration sees only its own installations, an
organization only its own apps' secrets).
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.auth import Principal as VerifiedPrincipal

ADMIN_SCOPE = "platform:admin"


@dataclass(frozen=True)
class Principal:
    app_id: str | None = None
    installation_id: str | None = None
    workspace_id: str | None = None
    organization_id: str | None = None
    scopes: frozenset[str] = frozenset()
    user_id: str | None = None
    token_id: str | None = None

    @classmethod
    def verified(cls, principal: VerifiedPrincipal) -> Principal:
        return cls(
            app_id=principal.app_id,
            installation_id=principal.installation_id,
            workspace_id=principal.workspace_id,
            organization_id=principal.organization_id,
            scopes=principal.scopes,
            user_id=principal.user_id,
            token_id=principal.token_id,
        )

    @property
    def is_anonymous(self) -> bool:
        return not (
            self.app_id or self.organization_id or self.workspace_id or self.user_id or self.scopes
        )

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
