"""The sign-in session: a signed cookie naming the person, and the CSRF tokens tied to it.

The cookie is `<payload>.<mac>`: the payload (base64url JSON: user id, expiry, a nonce) signed
with HMAC-SHA256 under a key derived from `SWITCHBOARD_IDENTITY_SECRET`. It is HttpOnly,
SameSite=Lax (so other sites' forms cannot post with it) and Secure when the issuer is https.
A form's CSRF token is an HMAC of the session cookie, so it is valid for that session only.
Sign-in itself is guarded by a double-submit token in its own short-lived cookie.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from subgraphs.installs.oauth.config import SESSION_LIFETIME, IdentityConfig

SESSION_COOKIE = "switchboard_session"
SIGNIN_COOKIE = "switchboard_signin"
MAX_COOKIE_LENGTH = 1024


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, message: str) -> str:
    return _b64(hmac.new(key, message.encode(), hashlib.sha256).digest())


def session_cookie(config: IdentityConfig, user_id: str, now: datetime) -> str:
    expires = int((now + SESSION_LIFETIME).timestamp())
    payload = _b64(json.dumps({"u": user_id, "e": expires, "n": secrets.token_hex(8)}).encode())
    return f"{payload}.{_mac(config.session_key, payload)}"


def session_user(config: IdentityConfig, request: Request, now: datetime) -> str | None:
    """The signed-in user's id, or None for no, a forged or an expired session."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if not cookie or len(cookie) > MAX_COOKIE_LENGTH or "." not in cookie:
        return None
    payload, mac = cookie.rsplit(".", 1)
    if not hmac.compare_digest(mac, _mac(config.session_key, payload)):
        return None
    try:
        session = json.loads(_unb64(payload))
        user_id, expires = str(session["u"]), int(session["e"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    return user_id if expires > now.timestamp() else None


def csrf_token(config: IdentityConfig, request: Request) -> str:
    return _mac(config.session_key, "csrf:" + request.cookies.get(SESSION_COOKIE, ""))


def csrf_valid(config: IdentityConfig, request: Request, token: str) -> bool:
    return hmac.compare_digest(token.encode(), csrf_token(config, request).encode())


def set_cookie(config: IdentityConfig, response: Response, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=config.secure_cookies,
    )


def start_session(config: IdentityConfig, response: Response, user_id: str, now: datetime) -> None:
    cookie = session_cookie(config, user_id, now)
    set_cookie(config, response, SESSION_COOKIE, cookie, int(SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(SIGNIN_COOKIE, path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
