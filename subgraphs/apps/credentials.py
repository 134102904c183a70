"""Identifiers and secrets an app is given.

Client secrets are random and long, so a plain SHA-256 is enough to store them safely (a slow
password hash protects guessable inputs, which these are not); the plaintext is shown once, when
it is issued. Webhook secrets are stored as issued: the webhook sender signs with them. They
take the Standard Webhooks form, `whsec_` and the base64 of the key's bytes (24 random bytes,
the least the standard recommends), so receivers' libraries read them as they are.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_HASH_PREFIX = "sha256:"


def new_app_id() -> str:
    return f"app_{secrets.token_hex(6)}"


def new_client_id() -> str:
    return f"client_{secrets.token_hex(8)}"


def new_client_secret() -> str:
    return f"cs_{secrets.token_urlsafe(32)}"


WEBHOOK_SECRET_PREFIX = "whsec_"
WEBHOOK_KEY_BYTES = 24


def new_webhook_secret() -> str:
    key = secrets.token_bytes(WEBHOOK_KEY_BYTES)
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(key).decode()


def hash_client_secret(secret: str) -> str:
    return _HASH_PREFIX + hashlib.sha256(secret.encode()).hexdigest()


def verify_client_secret(secret: str, stored_hash: str | None) -> bool:
    """Whether `secret` is the one whose hash was stored (constant time)."""
    if not stored_hash:
        return False
    return hmac.compare_digest(hash_client_secret(secret), stored_hash)
