"""Signing in and out: `GET/POST /signin`, `POST /signout`.

A successful sign-in starts the session and returns to where the authorization endpoint sent
the person (`next`, which may only be this server's `/oauth/authorize`, never another site).
Failures are throttled per email and per address; the answer never says which of email or
password was wrong.
"""

from __future__ import annotations

import math
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from subgraphs.common.clock import utc_now
from subgraphs.installs.oauth import pages
from subgraphs.installs.oauth.passwords import verify_password
from subgraphs.installs.oauth.people import user_by_email
from subgraphs.installs.oauth.server import FormTooLarge, is_form, read_form
from subgraphs.installs.oauth.sessions import (
    SIGNIN_COOKIE,
    end_session,
    set_cookie,
    start_session,
)
from subgraphs.installs.oauth.throttle import Throttle

SIGNIN_FAILURES, SIGNIN_WINDOW = 5, 300.0
ADDRESS_FAILURES = 50
FORM_TOKEN_AGE = 1800
MAX_EMAIL, MAX_PASSWORD = 254, 1024


def safe_next(value: str) -> str:
    """Only back into this server's authorization endpoint; anything else goes nowhere."""
    if value.startswith("/oauth/authorize?") and "\\" not in value:
        return value
    return ""


class SignIn:
    def __init__(self, identity: Any) -> None:
        self.identity = identity
        self.email_throttle = Throttle(SIGNIN_FAILURES, SIGNIN_WINDOW)
        self.address_throttle = Throttle(ADDRESS_FAILURES, SIGNIN_WINDOW)

    async def show(self, request: Request) -> Response:
        return self._form(safe_next(request.query_params.get("next", "")))

    def _form(self, next_url: str, error: str | None = None, status: int = 200) -> Response:
        # Double-submit token against login CSRF (signing a victim into someone else's account).
        token = secrets.token_urlsafe(16)
        response = pages.signin_page(next_url, token, error, status)
        set_cookie(self.identity.config, response, SIGNIN_COOKIE, token, FORM_TOKEN_AGE)
        return response

    async def submit(self, request: Request) -> Response:
        if not is_form(request):
            return pages.error_page("Bad request", "The form was not sent as a form.")
        try:
            form = dict(reversed(await read_form(request)))
        except FormTooLarge:
            return pages.error_page("Bad request", "The form is malformed or too large.")
        next_url = safe_next(form.get("next", ""))
        expected = request.cookies.get(SIGNIN_COOKIE, "")
        if not expected or not secrets.compare_digest(expected, form.get("form_token", "")):
            return self._form(next_url, "The form expired; sign in again.", 403)
        email = form.get("email", "").strip().lower()[:MAX_EMAIL]
        password = form.get("password", "")[:MAX_PASSWORD]
        address = f"address:{request.client.host if request.client else 'unknown'}"
        wait = max(
            self.email_throttle.retry_after(email) or 0.0,
            self.address_throttle.retry_after(address) or 0.0,
        )
        if wait:
            response = self._form(
                next_url, f"Too many failed attempts; try again in {math.ceil(wait)} s.", 429
            )
            response.headers["Retry-After"] = str(math.ceil(wait))
            return response
        async with self.identity.database.session() as session:
            user = await user_by_email(session, email)
        if not await verify_password(user.password_hash if user else None, password):
            self.email_throttle.failed(email)
            self.address_throttle.failed(address)
            return self._form(next_url, "Wrong email or password.", 401)
        assert user is not None
        self.email_throttle.succeeded(email)
        if next_url:
            response: Response = RedirectResponse(next_url, status_code=303)
        else:
            response = pages.message_page("Signed in", f"You are signed in as {user.email}.")
        start_session(self.identity.config, response, user.id, utc_now())
        return response

    async def sign_out(self, request: Request) -> Response:
        response = pages.message_page("Signed out", "You are signed out.")
        end_session(response)
        return response
