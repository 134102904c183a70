"""Checks on what clients send; each failure is a BAD_USER_INPUT naming the offending field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import SplitResult, urlsplit

from subgraphs.apps.webhooks.destinations import DestinationGuard, UnsafeDestination
from subgraphs.apps.webhooks.endpoint import SUBSCRIBABLE_TYPES
from subgraphs.common.errors import BadUserInput
from subgraphs.demo.world import ALL_SCOPES

NAME_LENGTH = (3, 60)
SLUG_MAX_LENGTH = 60
DESCRIPTION_MAX_LENGTH = 2000
URL_MAX_LENGTH = 2048
MAX_REDIRECT_URIS = 10
REASON_MAX_LENGTH = 500
SEARCH_MAX_LENGTH = 100
_SLUG = re.compile(r"[a-z0-9-]+")
# RFC 8252 lets native apps redirect to a loopback address over plain HTTP.
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1"})


def name(value: str, field: str = "name") -> str:
    cleaned = value.strip()
    low, high = NAME_LENGTH
    if not low <= len(cleaned) <= high:
        raise BadUserInput(f"The name must be {low} to {high} characters long.", field=field)
    return cleaned


def slug(value: str, field: str = "slug") -> str:
    if len(value) > SLUG_MAX_LENGTH or not _SLUG.fullmatch(value):
        raise BadUserInput(
            "The slug must be 1 to 60 lowercase letters, digits or hyphens.", field=field
        )
    return value


def description(value: str, field: str = "description") -> str:
    cleaned = value.strip()
    if len(cleaned) > DESCRIPTION_MAX_LENGTH:
        raise BadUserInput(
            f"The description must be at most {DESCRIPTION_MAX_LENGTH} characters.", field=field
        )
    return cleaned


def homepage(value: str | None, field: str = "homepage") -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = value.strip()
    parts = _split(cleaned, field)
    if parts.scheme not in ("https", "http"):
        raise BadUserInput("The homepage must be an http or https URL.", field=field)
    return cleaned


def redirect_uris(values: list[str], field: str = "redirectUris") -> list[str]:
    """HTTPS callbacks (or loopback HTTP for development), without fragments, duplicates dropped."""
    unique = list(dict.fromkeys(value.strip() for value in values))
    if len(unique) > MAX_REDIRECT_URIS:
        raise BadUserInput(f"At most {MAX_REDIRECT_URIS} redirect URIs are allowed.", field=field)
    for uri in unique:
        parts = _split(uri, field)
        loopback = parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS
        if parts.scheme != "https" and not loopback:
            raise BadUserInput(
                f"Redirect URI {uri!r} must use https (http is allowed only for localhost).",
                field=field,
            )
        if parts.fragment:
            raise BadUserInput(f"Redirect URI {uri!r} must not contain a fragment.", field=field)
    return unique


def scopes(values: list[str], field: str = "requestedScopes") -> list[str]:
    return _known(values, ALL_SCOPES, "scopes", field)


def event_types(values: list[str], field: str = "eventTypes") -> list[str]:
    return _known(values, SUBSCRIBABLE_TYPES, "event types", field)


def _known(values: list[str], known: Sequence[str], what: str, field: str) -> list[str]:
    """`values` sorted and without repeats, if each is one of `known`."""
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise BadUserInput(
            f"Unknown {what}: {', '.join(unknown)}. Known {what}: {', '.join(known)}.",
            field=field,
        )
    return sorted(set(values))


def webhook_url(value: str, field: str = "url") -> str:
    """https, with a host and no credentials; plain http only for a host the development
    allow-list names (`subgraphs/apps/webhooks/destinations.py`). Where the host resolves is
    checked on every delivery, not here: DNS answers change."""
    cleaned = value.strip()
    _split(cleaned, field)
    try:
        DestinationGuard.from_environment().check_url(cleaned)
    except UnsafeDestination as refused:
        raise BadUserInput(f"The webhook URL is refused: {refused}.", field=field) from None
    return cleaned


def suspension_reason(value: str, field: str = "reason") -> str:
    cleaned = value.strip()
    if not 1 <= len(cleaned) <= REASON_MAX_LENGTH:
        raise BadUserInput(
            f"A suspension needs a reason of 1 to {REASON_MAX_LENGTH} characters.", field=field
        )
    return cleaned


def search(value: str | None, field: str = "search") -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > SEARCH_MAX_LENGTH:
        raise BadUserInput(
            f"The search text must be at most {SEARCH_MAX_LENGTH} characters.", field=field
        )
    return value.strip().lower()


def _split(url: str, field: str) -> SplitResult:
    if len(url) > URL_MAX_LENGTH:
        raise BadUserInput(f"URLs must be at most {URL_MAX_LENGTH} characters.", field=field)
    try:
        parts = urlsplit(url)
    except ValueError:
        raise BadUserInput(f"{url!r} is not a valid URL.", field=field) from None
    if not parts.hostname:
        raise BadUserInput(f"{url!r} is not an absolute URL with a host.", field=field)
    return parts
