"""Who may see and change which installations.

Every identity a principal carries narrows what it reaches: an integration (app token) reaches
only its own app's installations, a workspace principal only its own workspace's, and a token
carrying both only that app in that workspace. An admin reaches everything; a principal with
neither identity (anonymous, or an organization) reaches no installation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, false, true
from sqlalchemy.sql import ColumnElement

from subgraphs.common.errors import Forbidden
from subgraphs.common.principal import Principal
from subgraphs.installs.models import InstallationRow


def reaches(principal: Principal, *, app_id: str, workspace_id: str) -> bool:
    """Whether `principal` may see (and manage) installations of `app_id` in `workspace_id`."""
    if principal.is_admin:
        return True
    if principal.app_id is None and principal.workspace_id is None:
        return False
    return principal.app_id in (None, app_id) and principal.workspace_id in (None, workspace_id)


def visible_installations(principal: Principal) -> ColumnElement[Any]:
    """The same rule as `reaches`, as a SQL condition on the installation table."""
    if principal.is_admin:
        return true()
    conditions: list[ColumnElement[Any]] = []
    if principal.app_id is not None:
        conditions.append(InstallationRow.app_id == principal.app_id)  # type: ignore[arg-type]
    if principal.workspace_id is not None:
        conditions.append(InstallationRow.workspace_id == principal.workspace_id)  # type: ignore[arg-type]
    return and_(*conditions) if conditions else false()


def require_reach(principal: Principal, *, app_id: str, workspace_id: str) -> None:
    """Mutations on someone else's installation fail loudly instead of filtering silently."""
    if not reaches(principal, app_id=app_id, workspace_id=workspace_id):
        raise Forbidden(
            "This principal may not manage installations of this app in this workspace.",
            appId=app_id,
            workspaceId=workspace_id,
        )
