"""Search normalization: what a query's terms are, independent of any database."""

from __future__ import annotations

from subgraphs.marketplace import search


def test_normalize_lowercases_and_drops_punctuation() -> None:
    assert search.normalize("Sales & CRM") == "sales crm"
    assert search.normalize("  Deploy--Herald: v2_beta!  ") == "deploy herald v2 beta"
    assert search.normalize("Café Überblick") == "café überblick"


def test_terms_are_distinct_and_wildcard_free() -> None:
    assert search.terms("Review review REVIEWS") == ["review", "reviews"]
    assert search.terms("100% _of_ it") == ["100", "of", "it"]
    assert search.terms("   ") == []
    assert search.terms(None) == []


def test_document_covers_name_slug_tagline_and_description() -> None:
    document = search.document("Build Watch", "build-watch", "CI status.", "Flaky tests.")
    assert document == "build watch build watch ci status flaky tests"
