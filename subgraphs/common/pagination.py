"""Relay-style cursor pagination: `first`/`after`, `edges`, `pageInfo`, `totalCount`.

Cursors are opaque to clients (base64 of the row's offset in the ordered list). Two ways to fetch
a page, both one round of SQL whatever the page size:

- `paginate` — one list (a root field such as `apps`): a count and a LIMIT/OFFSET query;
- `paginate_partitions` — the same page of many parents' lists at once (the `installations` of
  fifty apps), for dataloaders: a window function numbers each parent's rows, so a page of N
  parents costs two statements, never N.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.federation.schema_directives import ListSize

from subgraphs.common.errors import BadUserInput

T = TypeVar("T")
Row = TypeVar("Row")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# For the gateway's demand control: a page holds `first` nodes (`DEFAULT_PAGE_SIZE` when it is
# not given), in both `edges` and `nodes`. On every field that returns a `Connection`.
PAGE_SIZE = ListSize(
    slicing_arguments=["first"],
    sized_fields=["edges", "nodes"],
    assumed_size=DEFAULT_PAGE_SIZE,
    require_one_slicing_argument=False,
)
_CURSOR_PREFIX = "cursor:"


@strawberry.federation.type(shareable=True)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int

    @strawberry.field(description="The nodes of `edges`, for clients that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInput(f"Invalid cursor {cursor!r}.", argument="after") from None
    if not text.startswith(_CURSOR_PREFIX) or not text[len(_CURSOR_PREFIX) :].isdigit():
        raise BadUserInput(f"Invalid cursor {cursor!r}.", argument="after")
    return int(text[len(_CURSOR_PREFIX) :])


@dataclass(frozen=True)
class PageRequest:
    """A validated `first`/`after` pair: rows `offset+1 … offset+first` of the ordered list."""

    first: int
    offset: int

    @classmethod
    def of(cls, first: int | None, after: str | None) -> PageRequest:
        size = DEFAULT_PAGE_SIZE if first is None else first
        if size < 0 or size > MAX_PAGE_SIZE:
            raise BadUserInput(
                f"`first` must be between 0 and {MAX_PAGE_SIZE}, got {size}.", argument="first"
            )
        offset = 0 if after is None else decode_cursor(after) + 1
        return cls(first=size, offset=offset)

    def connection(self, nodes: Sequence[T], total: int) -> Connection[T]:
        """The page, given up to `first + 1` rows starting at `offset` and the list's total."""
        shown = list(nodes[: self.first])
        edges = [Edge(cursor=encode_cursor(self.offset + i), node=n) for i, n in enumerate(shown)]
        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(nodes) > self.first,
                has_previous_page=self.offset > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total,
        )


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
    page: PageRequest,
    to_node: Callable[[Any], T],
) -> Connection[T]:
    """One page of `statement` (which must be ordered deterministically)."""
    total = await session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )
    rows = (await session.exec(statement.offset(page.offset).limit(page.first + 1))).all()  # type: ignore[call-overload]
    return page.connection([to_node(row) for row in rows], int(total or 0))


async def paginate_partitions(
    session: AsyncSession,
    model: type[Row],
    statement: Select[Any],
    *,
    partition_by: ColumnElement[Any],
    order_by: Sequence[ColumnElement[Any]],
    keys: Sequence[Hashable],
    page: PageRequest,
    to_node: Callable[[Row], T],
) -> dict[Hashable, Connection[T]]:
    """The same page of each key's list: `statement` selects `model` rows, unordered, unfiltered
    by key; `partition_by` is the column holding the key; `order_by` orders within a key."""
    scoped = statement.where(partition_by.in_(keys))
    position = func.row_number().over(partition_by=partition_by, order_by=order_by).label("_rn")
    numbered = scoped.add_columns(position).subquery()
    row = aliased(model, numbered)
    key_column = numbered.c[partition_by.key]  # type: ignore[attr-defined]
    rows = (
        await session.exec(
            select(row, key_column)  # type: ignore[call-overload]
            .where(numbered.c._rn > page.offset, numbered.c._rn <= page.offset + page.first + 1)
            .order_by(key_column, numbered.c._rn)
        )
    ).all()
    counted = scoped.order_by(None).subquery()
    count_key = counted.c[partition_by.key]  # type: ignore[attr-defined]
    totals = dict(
        (await session.exec(select(count_key, func.count()).group_by(count_key))).all()  # type: ignore[call-overload]
    )
    grouped: dict[Hashable, list[T]] = {key: [] for key in keys}
    for entity, key in rows:
        grouped[key].append(to_node(entity))
    return {key: page.connection(nodes, int(totals.get(key, 0))) for key, nodes in grouped.items()}
