"""Full-text search over listings, on each database's own engine: SQLite FTS5, PostgreSQL
`tsvector` with a GIN index (the marketplace's `c3f1e0a9b2d4` revision builds both).

Each listing stores a normalized document (lowercase, punctuation turned into spaces) of its
name, slug, tagline and description, and its normalized name; the index is built from those,
so both backends see the same words. A query matches listings containing every one of its
terms as a word or the start of a word (AND semantics, prefix match, so `stand` finds
"Standup Bot"), and is answered from the index, never by scanning the table.

A query is bounded before any SQL is built: at most `MAX_SEARCH_LENGTH` characters and
`MAX_SEARCH_TERMS` distinct terms, else `BAD_USER_INPUT`. Terms hold only letters and digits,
and reach the database as one bound parameter, so they cannot change the statement.

Relevance ranks name matches first (the whole query as the name, then as the start of the
name, then how many terms the name contains), then by the engine's own rank (FTS5's bm25 with
the name weighted 10 to 1, PostgreSQL's `ts_rank` with the name in weight A); the caller
breaks ties.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import bindparam, case, func, literal, literal_column, select, text
from sqlalchemy.sql import ColumnElement
from sqlmodel import col

from subgraphs.common.errors import BadUserInput
from subgraphs.marketplace.models import ListingRow

MAX_SEARCH_LENGTH = 200
MAX_SEARCH_TERMS = 10

_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """Lowercase words separated by single spaces: "Sales & CRM" → "sales crm"."""
    return " ".join(_SEPARATORS.sub(" ", text.lower()).split())


def terms(query: str | None) -> list[str]:
    """The distinct terms of a query, in order; none for a blank query. `BadUserInput` for a
    query longer than the limits allow."""
    if query is not None and len(query) > MAX_SEARCH_LENGTH:
        raise BadUserInput(
            f"`search` is limited to {MAX_SEARCH_LENGTH} characters",
            maxLength=MAX_SEARCH_LENGTH,
        )
    found = list(dict.fromkeys(normalize(query or "").split()))
    if len(found) > MAX_SEARCH_TERMS:
        raise BadUserInput(
            f"`search` is limited to {MAX_SEARCH_TERMS} words", maxWords=MAX_SEARCH_TERMS
        )
    return found


def document(name: str, slug: str, tagline: str, description: str) -> str:
    return normalize(" ".join((name, slug, tagline, description)))


class Search:
    """The filter and the engine's rank for one query, on one backend."""

    def __init__(self, query_terms: list[str], *, postgres: bool) -> None:
        self.terms = query_terms
        self.postgres = postgres

    def matches(self, statement: Any) -> Any:
        """`statement` restricted to the listings containing every term."""
        if self.postgres:
            return statement.where(_vector().op("@@")(self._tsquery()))
        matching = text("SELECT rowid FROM fts_listing WHERE fts_listing MATCH :fts_query")
        matching = matching.bindparams(bindparam("fts_query", self._fts5_query()))
        return statement.where(_listing_rowid().in_(matching.columns(literal_column("rowid"))))

    def engine_rank(self) -> ColumnElement[Any]:
        """Higher first."""
        if self.postgres:
            return func.ts_rank(_vector(), self._tsquery())
        # bm25 is lower for better matches; read from the index for this one row.
        return (
            select(literal_column("-bm25(fts_listing, 10.0, 1.0)"))
            .select_from(text("fts_listing"))
            .where(
                text("fts_listing MATCH :fts_rank_query").bindparams(
                    bindparam("fts_rank_query", self._fts5_query())
                ),
                literal_column("fts_listing.rowid") == _listing_rowid(),
            )
            .scalar_subquery()
        )

    def relevance(self) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
        """Sort keys, descending: how well the name matches, then the engine's rank."""
        phrase = " ".join(self.terms)
        score: ColumnElement[Any] = case(
            (col(ListingRow.search_name) == phrase, 100),
            (col(ListingRow.search_name).startswith(phrase, autoescape=True), 50),
            else_=0,
        )
        for term in self.terms:
            score = score + case(
                (col(ListingRow.search_name).contains(term, autoescape=True), 1),
                else_=literal(0),
            )
        return score, self.engine_rank()

    def _fts5_query(self) -> str:
        # Each term quoted (never an FTS5 operator) and matched as a word prefix.
        return " AND ".join(f'"{term}"*' for term in self.terms)

    def _tsquery(self) -> ColumnElement[Any]:
        return func.to_tsquery("simple", " & ".join(f"{term}:*" for term in self.terms))


def _vector() -> ColumnElement[Any]:
    return literal_column("listing.fts_vector")


def _listing_rowid() -> ColumnElement[Any]:
    return literal_column("listing.rowid")
