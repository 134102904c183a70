"""The server-rendered pages: sign-in, consent, and errors. No scripts, no external assets.

Every page is sent with a Content-Security-Policy that allows nothing but its own inline style
(by hash) and forbids framing (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for older
browsers), so the consent page cannot be clickjacked. Everything interpolated is escaped.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from starlette.responses import HTMLResponse

from subgraphs.installs.oauth.scopes import describe

STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#172b4d;margin:0}"
    "main{max-width:28rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.2)}h1{font-size:1.4rem;margin-top:0}"
    "label{display:block;margin:.5rem 0}input[type=email],input[type=password],select"
    "{width:100%;padding:.5rem;box-sizing:border-box}button{padding:.5rem 1.2rem;"
    "margin:1rem .5rem 0 0;font-size:1rem}.approve{background:#0052cc;color:#fff;border:0}"
    ".meta{color:#5e6c84}.error{color:#bf2600}fieldset{border:1px solid #dfe1e6}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)} · Switchboard</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(document, status_code=status, headers=SECURITY_HEADERS)


def _hidden(fields: Sequence[tuple[str, str]]) -> str:
    return "".join(
        f'<input type=hidden name="{escape(name)}" value="{escape(value)}">'
        for name, value in fields
    )


def signin_page(
    next_url: str, form_token: str, error: str | None = None, status: int = 200
) -> HTMLResponse:
    message = f"<p class=error role=alert>{escape(error)}</p>" if error else ""
    return page(
        "Sign in",
        "<h1>Sign in to Switchboard</h1>"
        f"{message}<form method=post action=/signin>"
        + _hidden([("next", next_url), ("form_token", form_token)])
        + "<label>Email <input type=email name=email autocomplete=username required></label>"
        "<label>Password <input type=password name=password "
        "autocomplete=current-password required></label>"
        "<button class=approve type=submit>Sign in</button></form>",
        status,
    )


@dataclass(frozen=True)
class ConsentView:
    app_name: str
    publisher: str
    certification: str
    user_email: str
    requested_scopes: Sequence[str]
    workspaces: Sequence[tuple[str, str]]  # (id, name) where the user is an admin
    oauth_fields: Sequence[tuple[str, str]]
    csrf: str
    draft: bool = False


def consent_page(view: ConsentView, error: str | None = None, status: int = 200) -> HTMLResponse:
    certified = {
        "CERTIFIED": "Certified by Switchboard",
        "PENDING": "Certification pending",
    }.get(view.certification, "Not certified")
    options = "".join(
        f'<option value="{escape(id)}">{escape(name)}</option>' for id, name in view.workspaces
    )
    scopes = "".join(
        f'<label><input type=checkbox name=granted_scope value="{escape(scope)}" checked> '
        f"{escape(describe(scope))} <span class=meta>({escape(scope)})</span></label>"
        for scope in view.requested_scopes
    )
    draft = (
        "<p class=meta>This app is not published: only its own organization may install it, "
        "for testing.</p>"
        if view.draft
        else ""
    )
    message = f"<p class=error role=alert>{escape(error)}</p>" if error else ""
    return page(
        f"Install {view.app_name}",
        f"<h1>Install {escape(view.app_name)}</h1>"
        f"<p class=meta>by {escape(view.publisher)} · <span id=certification>{escape(certified)}"
        f"</span></p>{draft}{message}"
        "<form method=post action=/oauth/authorize>"
        + _hidden([*view.oauth_fields, ("csrf_token", view.csrf)])
        + f"<label>Workspace <select name=workspace_id>{options}</select></label>"
        f"<fieldset><legend>{escape(view.app_name)} will be able to:</legend>{scopes}</fieldset>"
        f"<p class=meta>Signed in as {escape(view.user_email)}</p>"
        "<button class=approve type=submit name=decision value=approve>Approve</button>"
        "<button type=submit name=decision value=deny>Deny</button></form>",
        status,
    )


def error_page(title: str, description: str, status: int = 400) -> HTMLResponse:
    return page(
        title,
        f"<h1>{escape(title)}</h1><p class=error>{escape(description)}</p>"
        "<p class=meta>Nothing was sent back to the application.</p>",
        status,
    )


def message_page(title: str, text: str) -> HTMLResponse:
    return page(title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>")
