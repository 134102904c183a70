from __future__ import annotations

import pytest

from gateway.server.negotiation import response_media_type


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("application/graphql-response+json", "application/graphql-response+json"),
        (
            "application/graphql-response+json, application/json;q=0.9",
            "application/graphql-response+json",
        ),
        (
            "application/json, application/graphql-response+json",
            "application/json",
        ),
        (
            "application/json;q=0.5, application/graphql-response+json;q=0.8",
            "application/graphql-response+json",
        ),
        ("application/graphql-response+json;q=0", "application/json"),
    ],
)
def test_the_response_media_type_follows_the_accept_header(
    accept: str | None, expected: str
) -> None:
    assert response_media_type(accept) == expected
