"""CSRF prevention, Apollo Router's rule: only a request a browser would have preflighted runs.

A cross-site page can make a browser send a "simple" request (a GET, or a POST with one of the
form content types) without asking the server first, cookies included. Any other request is
preceded by a CORS preflight the gateway's CORS policy answers. So an operation runs only when
its request has a content type that is not simple, or carries a non-empty header no simple
request can have (`x-apollo-operation-name`, `apollo-require-preflight`, as Apollo's clients
send). `content-type: application/json` is not simple: ordinary clients are unaffected.
"""

from __future__ import annotations

from collections.abc import Mapping

CSRF_ERROR = "CSRF_ERROR"
SIMPLE_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
PREFLIGHT_HEADERS = ("x-apollo-operation-name", "apollo-require-preflight")
CSRF_MESSAGE = (
    "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). "
    "Please either specify a 'content-type' header (with a mime-type that is not one of "
    f"{', '.join(sorted(SIMPLE_CONTENT_TYPES))}) or provide one of the following headers: "
    f"{', '.join(PREFLIGHT_HEADERS)}"
)


def preflighted(headers: Mapping[str, str]) -> bool:
    """Whether a browser would have sent a CORS preflight before this request."""
    content_type = headers.get("content-type")
    if content_type is not None:
        essence = content_type.partition(";")[0].strip().lower()
        if essence and essence not in SIMPLE_CONTENT_TYPES:
            return True
    return any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS)
