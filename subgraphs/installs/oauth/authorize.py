"""The authorization endpoint: `GET /oauth/authorize` shows the consent page (after sign-in),
`POST /oauth/authorize` records the decision and redirects back with a code.

Nothing is redirected to before authlib has matched the client and its redirect URI exactly: an
unknown client, an unregistered redirect URI or a malformed request gets an error page. Errors
found after that (a bad scope, no PKCE, a denial) go back to the client as RFC 6749 §4.1.2.1
redirects carrying `state`.

Who may install: a workspace admin, into a workspace they administer; a published app, or a
draft or in-review app by a member of its own organization (for testing). People using the
console client approve nothing: they get a code for the scopes their roles carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from authlib.oauth2.rfc6749.errors import AccessDeniedError, OAuth2Error
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from subgraphs.common.clock import utc_now
from subgraphs.installs.models import OUTBOX, UserRow
from subgraphs.installs.oauth import pages
from subgraphs.installs.oauth.approvals import InstallApproval, PersonApproval
from subgraphs.installs.oauth.clients import Client
from subgraphs.installs.oauth.exchange import Exchange, load_clients, load_subject, running
from subgraphs.installs.oauth.people import administered_workspaces
from subgraphs.installs.oauth.server import FormTooLarge, is_form, read_form
from subgraphs.installs.oauth.sessions import csrf_token, csrf_valid, session_user

OAUTH_PARAMETERS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)
TESTABLE_STATUSES = frozenset({"DRAFT", "IN_REVIEW"})


@dataclass
class Decision:
    """An authorization request validated by authlib, for a signed-in user."""

    exchange: Exchange
    oauth_request: Any
    grant: Any
    user: UserRow

    @property
    def client(self) -> Client:
        client: Client = self.oauth_request.client
        return client


class Authorize:
    """The endpoint's two methods, on the `Identity` whose server, config and database it uses."""

    def __init__(self, identity: Any) -> None:
        self.identity = identity

    async def show(self, request: Request) -> Response:
        items = list(request.query_params.multi_items())
        decision = await self._ready(request, items)
        if isinstance(decision, Response):
            return decision
        return await self._consent(decision, request, items)

    async def decide(self, request: Request) -> Response:
        if not is_form(request):
            return pages.error_page("Bad request", "The form was not sent as a form.")
        try:
            items = await read_form(request)
        except FormTooLarge:
            return pages.error_page("Bad request", "The form is malformed or too large.")
        form = dict(reversed(items))
        if not csrf_valid(self.identity.config, request, form.get("csrf_token", "")):
            return pages.error_page(
                "Expired form", "This form expired or came from elsewhere; start again.", 403
            )
        oauth_items = [(key, value) for key, value in items if key in OAUTH_PARAMETERS]
        decision = await self._ready(request, oauth_items)
        if isinstance(decision, Response):
            return decision
        if form.get("decision") != "approve":
            return self._respond(decision, None)
        workspace_id = form.get("workspace_id", "")
        async with self.identity.database.session() as session:
            workspaces = await administered_workspaces(session, decision.user.id)
        requested = decision.oauth_request.scope.split()
        granted = sorted({value for key, value in items if key == "granted_scope"})
        problem = None
        if workspace_id not in {workspace.id for workspace in workspaces}:
            problem = "Choose a workspace you administer."
        elif not granted or not set(granted) <= set(requested):
            problem = "Grant at least one of the permissions the app asks for."
        if problem is not None:
            return await self._consent(decision, request, oauth_items, error=problem, status=400)
        approval = InstallApproval(
            decision.user.id, decision.client.app_id or "", workspace_id, tuple(granted)
        )
        return await self._issue(decision, approval)

    # --- steps ---------------------------------------------------------------------------------

    async def _ready(
        self, request: Request, items: Sequence[tuple[str, str]]
    ) -> Decision | Response:
        """A valid request by a signed-in user who may install this app, or the answer that
        ends it here (sign-in, an error, a person's code: people see no consent page)."""
        decision = await self._validate(request, items)
        if isinstance(decision, Response):
            return decision
        if decision.client.kind == "console":
            return await self._issue_for_person(decision)
        refusal = await self._refusal(decision)
        return refusal if refusal is not None else decision

    async def _validate(
        self, request: Request, items: Sequence[tuple[str, str]]
    ) -> Decision | Response:
        identity = self.identity
        now = utc_now()
        user_id = session_user(identity.config, request, now)
        user = None
        if user_id is not None:
            async with identity.database.session() as session:
                user = await session.get(UserRow, user_id)
        if user is None:
            target = "/oauth/authorize?" + request.url.query if request.method == "GET" else ""
            if not target:
                return pages.error_page("Signed out", "Sign in and start again.", 401)
            return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
        exchange = Exchange(identity.config, now=now)
        client_id = dict(reversed(items)).get("client_id", "")
        async with identity.database.session() as session:
            await load_clients(session, exchange, {client_id})
        oauth_request = identity.server.request(request, items)
        with running(exchange):
            try:
                grant = identity.server.get_consent_grant(oauth_request, end_user=user)
            except OAuth2Error as error:
                return self._error(oauth_request, error)
        return Decision(exchange, oauth_request, grant, user)

    def _error(self, oauth_request: Any, error: OAuth2Error) -> Response:
        if error.redirect_uri:  # authlib validated the client and this exact URI
            response: Response = self.identity.server.handle_error_response(oauth_request, error)
            return response
        return pages.error_page(
            "This authorization request is invalid",
            f"{error.error}: {error.description or 'the request cannot be served'}",
        )

    async def _refusal(self, decision: Decision) -> Response | None:
        client, user = decision.client, decision.user
        reason = None
        if client.halted:
            reason = f"{client.name} is {client.app_status}; it cannot be installed."
        elif (
            client.app_status in TESTABLE_STATUSES
            and user.organization_id != client.organization_id
        ):
            reason = f"{client.name} is not published; only its own organization may install it."
        elif client.app_status not in {"PUBLISHED", *TESTABLE_STATUSES}:
            reason = f"{client.name} cannot be installed."
        if reason is None:
            async with self.identity.database.session() as session:
                if not await administered_workspaces(session, user.id):
                    reason = "You administer no workspace to install apps in."
        if reason is None:
            return None
        error = AccessDeniedError(reason, redirect_uri=decision.grant.redirect_uri)
        error.state = decision.oauth_request.payload.state
        return self._error(decision.oauth_request, error)

    async def _consent(
        self,
        decision: Decision,
        request: Request,
        oauth_items: Sequence[tuple[str, str]],
        *,
        error: str | None = None,
        status: int = 200,
    ) -> Response:
        async with self.identity.database.session() as session:
            workspaces = await administered_workspaces(session, decision.user.id)
        client = decision.client
        view = pages.ConsentView(
            app_name=client.name,
            publisher=client.publisher,
            certification=client.certification,
            user_email=decision.user.email,
            requested_scopes=decision.oauth_request.scope.split(),
            workspaces=[(workspace.id, workspace.name) for workspace in workspaces],
            oauth_fields=[(key, value) for key, value in oauth_items if key in OAUTH_PARAMETERS],
            csrf=csrf_token(self.identity.config, request),
            draft=client.app_status in TESTABLE_STATUSES,
        )
        return pages.consent_page(view, error=error, status=status)

    async def _issue_for_person(self, decision: Decision) -> Response:
        async with self.identity.database.session() as session:
            subject = await load_subject(session, decision.user.id, None)
        held = subject.scopes if subject is not None else frozenset()
        asked = decision.oauth_request.scope.split()
        approval = PersonApproval(decision.user.id, tuple(sorted(set(asked) & held)))
        return await self._issue(decision, approval)

    async def _issue(
        self, decision: Decision, approval: InstallApproval | PersonApproval
    ) -> Response:
        identity = self.identity
        response = self._respond(decision, approval)
        try:
            await decision.exchange.commit(identity.database)
        except IntegrityError:
            # Another approval of the same app in the same workspace committed first.
            return pages.error_page(
                "Try again", "This app was being installed there at the same time.", 409
            )
        if decision.exchange.staged_events:
            await OUTBOX.relay(identity.database, identity.bus)
        return response

    def _respond(
        self, decision: Decision, approval: InstallApproval | PersonApproval | None
    ) -> Response:
        with running(decision.exchange):
            response: Response = self.identity.server.create_authorization_response(
                decision.oauth_request, grant_user=approval, grant=decision.grant
            )
        return response
