"""Standard Webhooks signatures (https://www.standardwebhooks.com, "Signature scheme").

A delivery carries `webhook-id` (the same on every attempt, so a receiver can drop repeats),
`webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`: space-separated
`v1,<base64 HMAC-SHA256>` values, one per secret, over `<id>.<timestamp>.<body>`, keyed with the
bytes the `whsec_` secret encodes in base64.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"


class InvalidSecret(ValueError):
    """A stored secret that is not `whsec_` followed by base64."""


def secret_key(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise InvalidSecret("a webhook secret must be whsec_ followed by base64") from None
    if not key:
        raise InvalidSecret("a webhook secret must not be empty")
    return key


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secrets: Sequence[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers of one attempt, signed with each of `secrets`."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret, message_id, timestamp, body) for secret in secrets
        ),
    }
