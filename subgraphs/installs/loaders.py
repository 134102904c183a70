"""Per-request dataloaders: every relation and entity reference of the installs subgraph.

Each loader answers a whole batch of keys in a constant number of statements. Installation
loaders apply the principal's visibility in SQL, so nothing the caller may not see is loaded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy.sql import ColumnElement
from sqlmodel import col, select

from subgraphs.common.database import Database
from subgraphs.common.dataloader import DataLoader
from subgraphs.common.pagination import Connection, PageRequest, paginate_partitions
from subgraphs.common.principal import Principal
from subgraphs.installs.entities import (
    Installation,
    InstallationListKey,
    InstallationStatus,
    Workspace,
)
from subgraphs.installs.models import InstallationRow, WorkspaceRow
from subgraphs.installs.visibility import visible_installations

# Newest first; the id breaks ties so pages never overlap.
INSTALLATION_ORDER: tuple[ColumnElement[Any], ...] = (
    col(InstallationRow.installed_at).desc(),
    col(InstallationRow.id).asc(),
)


class Loaders:
    def __init__(self, database: Database, principal: Principal, *, batch: bool = True) -> None:
        self.database = database
        self.principal = principal
        self.workspace = DataLoader(self._load_workspaces, batch=batch)
        self.installation = DataLoader(self._load_installations, batch=batch)
        self.install_count = DataLoader(self._load_install_counts, batch=batch)
        self.workspace_installations = DataLoader(self._load_workspace_installations, batch=batch)
        self.app_installations = DataLoader(self._load_app_installations, batch=batch)

    async def _load_workspaces(self, ids: Sequence[str]) -> list[Workspace | None]:
        statement = select(WorkspaceRow).where(col(WorkspaceRow.id).in_(ids))
        async with self.database.session() as session:
            rows = (await session.exec(statement)).all()
        found = {row.id: Workspace.from_row(row) for row in rows}
        return [found.get(id) for id in ids]

    async def _load_installations(self, ids: Sequence[str]) -> list[Installation | None]:
        statement = select(InstallationRow).where(
            col(InstallationRow.id).in_(ids), visible_installations(self.principal)
        )
        async with self.database.session() as session:
            rows = (await session.exec(statement)).all()
        found = {row.id: Installation.from_row(row) for row in rows}
        return [found.get(id) for id in ids]

    async def _load_install_counts(self, app_ids: Sequence[str]) -> list[int]:
        """Active installations per app: public, so not filtered by the principal."""
        statement = (
            select(InstallationRow.app_id, func.count())
            .where(
                col(InstallationRow.app_id).in_(app_ids),
                InstallationRow.status == InstallationStatus.ACTIVE.value,
            )
            .group_by(InstallationRow.app_id)
        )
        async with self.database.session() as session:
            counts: dict[str, int] = dict((await session.exec(statement)).all())
        return [counts.get(app_id, 0) for app_id in app_ids]

    async def _load_workspace_installations(
        self, keys: Sequence[InstallationListKey]
    ) -> list[Connection[Installation]]:
        return await self._load_pages(keys, col(InstallationRow.workspace_id))

    async def _load_app_installations(
        self, keys: Sequence[InstallationListKey]
    ) -> list[Connection[Installation]]:
        return await self._load_pages(keys, col(InstallationRow.app_id))

    async def _load_pages(
        self, keys: Sequence[InstallationListKey], owner: ColumnElement[Any]
    ) -> list[Connection[Installation]]:
        """Keys asking for the same page and status share one `paginate_partitions` call."""
        owners_by_request: dict[tuple[PageRequest, InstallationStatus | None], list[str]] = (
            defaultdict(list)
        )
        for key in keys:
            owners_by_request[key.page, key.status].append(key.owner_id)
        pages: dict[InstallationListKey, Connection[Installation]] = {}
        async with self.database.session() as session:
            for (page, status), owner_ids in owners_by_request.items():
                statement = select(InstallationRow).where(visible_installations(self.principal))
                if status is not None:
                    statement = statement.where(InstallationRow.status == status.value)
                connections: dict[Hashable, Connection[Installation]] = await paginate_partitions(
                    session,
                    InstallationRow,
                    statement,
                    partition_by=owner,
                    order_by=INSTALLATION_ORDER,
                    keys=list(dict.fromkeys(owner_ids)),
                    page=page,
                    to_node=Installation.from_row,
                )
                for owner_id in owner_ids:
                    pages[InstallationListKey(owner_id, page, status)] = connections[owner_id]
        return [pages[key] for key in keys]
