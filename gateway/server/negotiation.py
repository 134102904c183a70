"""Which media type a response is sent as (GraphQL over HTTP, "Accept").

`application/graphql-response+json` when the client prefers it; otherwise the legacy
`application/json`, which is also the answer to a missing or wildcard Accept header.
"""

from __future__ import annotations

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"


def response_media_type(accept: str | None) -> str:
    best: tuple[float, int] | None = None
    choice = APPLICATION_JSON
    for position, media_range in enumerate((accept or "").split(",")):
        media_type, _, parameters = media_range.partition(";")
        media_type = media_type.strip().lower()
        if media_type not in (GRAPHQL_RESPONSE_JSON, APPLICATION_JSON):
            continue
        quality = _quality(parameters)
        if quality <= 0:
            continue
        # Higher quality wins; between equals, the first listed.
        rank = (quality, -position)
        if best is None or rank > best:
            best, choice = rank, media_type
    return choice


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def can_answer(accept: str | None) -> bool:
    """Whether one of the JSON media types satisfies `accept` (missing or blank: any will do).

    A client that accepts neither JSON type, nor a wildcard covering them, is answered 406
    rather than sent a body it said it cannot read (GraphQL over HTTP allows either).
    """
    if accept is None or not accept.strip():
        return True
    for media_range in accept.split(","):
        media_type, _, parameters = media_range.partition(";")
        media_type = media_type.strip().lower()
        if media_type in _ANSWERABLE and _quality(parameters) > 0:
            return True
    return False


_ANSWERABLE = frozenset({GRAPHQL_RESPONSE_JSON, APPLICATION_JSON, "application/*", "*/*"})
