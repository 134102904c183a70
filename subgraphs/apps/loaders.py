"""Per-request batch loaders: every relation and entity reference costs one round of SQL.

`batch=False` builds the naive resolution the N+1 tests compare against: one key at a time and
no per-request cache, so each parent pays for its own relations as a per-object resolver would.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlmodel import col, select

from subgraphs.apps.lifecycle import AppStatus
from subgraphs.apps.models import AppRow, OrganizationRow, WebhookAttemptRow, WebhookDeliveryRow
from subgraphs.apps.types import App, Organization
from subgraphs.apps.webhook_types import WebhookAttempt, WebhookDelivery
from subgraphs.apps.webhooks.endpoint import DeliveryStatus
from subgraphs.common.database import Database
from subgraphs.common.dataloader import DataLoader
from subgraphs.common.pagination import Connection, PageRequest, paginate_partitions
from subgraphs.common.principal import Principal

T = TypeVar("T")
# An organization's page of apps: (organization id, page, status filter).
OrganizationAppsKey = tuple[str, PageRequest, AppStatus | None]
# An app's page of webhook deliveries: (app id, page, status filter, event type filter).
DeliveriesKey = tuple[str, PageRequest, DeliveryStatus | None, str | None]

APP_ORDER = (col(AppRow.name), col(AppRow.id))
DELIVERY_ORDER = (col(WebhookDeliveryRow.created_at).desc(), col(WebhookDeliveryRow.id).desc())


class Loaders:
    def __init__(self, database: Database, principal: Principal, *, batch: bool = True) -> None:
        self.database = database
        self.principal = principal
        options: dict[str, Any] = {"batch": batch, "cache": batch}
        self.app: DataLoader[str, App | None] = DataLoader(self._load_apps, **options)
        self.app_by_slug: DataLoader[str, App | None] = DataLoader(
            self._load_apps_by_slug, **options
        )
        self.organization: DataLoader[str, Organization | None] = DataLoader(
            self._load_organizations, **options
        )
        self.organization_apps: DataLoader[OrganizationAppsKey, Connection[App]] = DataLoader(
            self._load_organization_apps, **options
        )
        self.webhook_deliveries: DataLoader[DeliveriesKey, Connection[WebhookDelivery]] = (
            DataLoader(self._load_webhook_deliveries, **options)
        )
        self.webhook_attempts: DataLoader[str, list[WebhookAttempt]] = DataLoader(
            self._load_webhook_attempts, **options
        )

    def remember(self, app: App) -> None:
        """Make later loads in this request see `app` as a mutation just left it."""
        self.app.clear(str(app.id)).prime(str(app.id), app)
        self.app_by_slug.clear(app.slug).prime(app.slug, app)

    async def _load_apps(self, ids: Sequence[str]) -> list[App | None]:
        async with self.database.session() as session:
            rows = (await session.exec(select(AppRow).where(col(AppRow.id).in_(ids)))).all()
        found = {row.id: App.from_row(row) for row in rows}
        return [found.get(id) for id in ids]

    async def _load_apps_by_slug(self, slugs: Sequence[str]) -> list[App | None]:
        async with self.database.session() as session:
            rows = (await session.exec(select(AppRow).where(col(AppRow.slug).in_(slugs)))).all()
        found = {row.slug: App.from_row(row) for row in rows}
        return [found.get(slug) for slug in slugs]

    async def _load_organizations(self, ids: Sequence[str]) -> list[Organization | None]:
        async with self.database.session() as session:
            statement = select(OrganizationRow).where(col(OrganizationRow.id).in_(ids))
            rows = (await session.exec(statement)).all()
        found = {row.id: Organization.from_row(row) for row in rows}
        return [found.get(id) for id in ids]

    async def _load_organization_apps(
        self, keys: Sequence[OrganizationAppsKey]
    ) -> list[Connection[App]]:
        def statement(status: AppStatus | None) -> Any:
            found = select(AppRow)
            return found if status is None else found.where(col(AppRow.status) == status.value)

        return await self._pages(
            keys, AppRow, statement, col(AppRow.organization_id), APP_ORDER, App.from_row
        )

    async def _load_webhook_deliveries(
        self, keys: Sequence[DeliveriesKey]
    ) -> list[Connection[WebhookDelivery]]:
        def statement(status: DeliveryStatus | None, event_type: str | None) -> Any:
            found: Any = select(WebhookDeliveryRow)
            if status is not None:
                found = found.where(col(WebhookDeliveryRow.status) == status.value)
            if event_type is not None:
                found = found.where(col(WebhookDeliveryRow.event_type) == event_type)
            return found

        return await self._pages(
            keys,
            WebhookDeliveryRow,
            statement,
            col(WebhookDeliveryRow.app_id),
            DELIVERY_ORDER,
            WebhookDelivery.from_row,
        )

    async def _pages(
        self,
        keys: Sequence[tuple[Any, ...]],
        model: type[Any],
        statement: Callable[..., Any],
        partition_by: Any,
        order_by: Sequence[Any],
        to_node: Callable[[Any], T],
    ) -> list[Connection[T]]:
        """A page of each parent's list, for keys `(parent id, page, *filters)`: keys asking for
        the same page and filters share one pair of statements (`statement(*filters)`)."""
        groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for parent_id, *options in keys:
            groups[tuple(options)].append(parent_id)
        pages: dict[Hashable, Connection[T]] = {}
        async with self.database.session() as session:
            for (page, *filters), parent_ids in groups.items():
                connections = await paginate_partitions(
                    session,
                    model,
                    statement(*filters),
                    partition_by=partition_by,
                    order_by=order_by,
                    keys=list(dict.fromkeys(parent_ids)),
                    page=page,
                    to_node=to_node,
                )
                for parent_id, connection in connections.items():
                    pages[(parent_id, page, *filters)] = connection
        return [pages[key] for key in keys]

    async def _load_webhook_attempts(
        self, delivery_ids: Sequence[str]
    ) -> list[list[WebhookAttempt]]:
        async with self.database.session() as session:
            statement = (
                select(WebhookAttemptRow)
                .where(col(WebhookAttemptRow.delivery_id).in_(delivery_ids))
                .order_by(col(WebhookAttemptRow.attempted_at), col(WebhookAttemptRow.id))
            )
            rows = (await session.exec(statement)).all()
        found: dict[str, list[WebhookAttempt]] = defaultdict(list)
        for row in rows:
            found[row.delivery_id].append(WebhookAttempt.from_row(row))
        return [found[delivery_id] for delivery_id in delivery_ids]
