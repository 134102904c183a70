"""Full-text search over listings that behaves the same on SQLite and PostgreSQL.

Neither backend's native full-text engine (FTS5, tsvector) exists on the other, so search runs
on plain columns instead: each listing stores a normalized document (lowercase, punctuation
turned into spaces) of its name, slug, tagline and description, and a query matches when every
one of its normalized terms occurs in that document (AND semantics, substring match, so
`stand` finds "Standup Bot"). Normalized terms hold only letters and digits, so they never
contain LIKE wildcards and need no escaping.

Relevance ranks name matches first: the whole query as the name, then as the start of the
name, then by how many terms the name contains; the caller breaks ties.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import and_, case, literal
from sqlalchemy.sql import ColumnElement

from subgraphs.marketplace.models import ListingRow

_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """Lowercase words separated by single spaces: "Sales & CRM" → "sales crm"."""
    return " ".join(_SEPARATORS.sub(" ", text.lower()).split())


def terms(query: str | None) -> list[str]:
    """The distinct terms of a query, in order; none for a blank query."""
    return list(dict.fromkeys(normalize(query or "").split()))


def document(name: str, slug: str, tagline: str, description: str) -> str:
    return normalize(" ".join((name, slug, tagline, description)))


def matches(query_terms: list[str]) -> ColumnElement[bool]:
    """Listings whose document contains every term."""
    return and_(*(ListingRow.search_document.like(f"%{term}%") for term in query_terms))


def relevance(query_terms: list[str]) -> ColumnElement[Any]:
    """A score, higher first: how well the listing's name matches the query."""
    phrase = " ".join(query_terms)
    score: ColumnElement[Any] = case(
        (ListingRow.search_name == phrase, 100),
        (ListingRow.search_name.like(f"{phrase}%"), 50),
        else_=0,
    )
    for term in query_terms:
        score = score + case((ListingRow.search_name.like(f"%{term}%"), 1), else_=literal(0))
    return score
