"""The auth stage in the gateway: 401s, the forwarded token, null propagation and paths for
denied fields, the reject switch, plans per requirement set, and a schema view per token."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import build_client_schema, get_introspection_query

from gateway.auth import AuthConfig
from gateway.planning import PlanCache
from gateway.server import GatewayConfig
from tests.auth.harness import auth_gateway

UNAUTHORIZED = "UNAUTHORIZED_FIELD_OR_TYPE"


async def test_a_bad_token_is_a_401_with_a_bearer_challenge() -> None:
    async with auth_gateway() as gateway:
        expired = gateway.issuer.sign(gateway.issuer.claims(issued_at=0))
        for token in (expired, "garbage", gateway.issuer.token() + "x"):
            response = await gateway.post("{ __typename }", token)
            assert response.status_code == 401
            assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
            assert response.json() == {
                "errors": [
                    {"message": "Invalid access token", "extensions": {"code": "UNAUTHENTICATED"}}
                ]
            }
        assert gateway.subgraphs.requests == []


async def test_subgraphs_get_the_verified_token_and_never_a_principal_header() -> None:
    async with auth_gateway() as gateway:
        token = gateway.issuer.token(app="app_1", scopes={"apps:read"})
        response = await gateway.client.post(
            "/graphql",
            json={"query": '{ app(id: "a") { name clientId } }'},
            headers={"authorization": f"Bearer {token}", "x-switchboard-scopes": "platform:admin"},
        )
        assert response.json()["data"]["app"]["clientId"] == "text"
        (request,) = gateway.subgraphs.requests
        assert request.headers["authorization"] == f"Bearer {token}"
        assert "x-switchboard-scopes" not in request.headers

        await gateway.post('{ app(id: "a") { name } }')
        assert "authorization" not in gateway.subgraphs.requests[-1].headers


async def test_a_denied_non_null_field_nulls_its_parent_with_one_error() -> None:
    async with auth_gateway() as gateway:
        body = await gateway.body('{ app(id: "a") { name clientId } }')
        assert body == {
            "data": {"app": None},
            "errors": [
                {
                    "message": "Unauthorized field or type",
                    "path": ["app", "clientId"],
                    "extensions": {"code": UNAUTHORIZED},
                }
            ],
        }
        # The subgraph was asked for `name` only.
        (query,) = gateway.subgraphs.queries()
        assert "clientId" not in query
        assert "name" in query


async def test_denied_fields_in_lists_get_an_error_at_each_item() -> None:
    async with auth_gateway() as gateway:
        query = "{ apps(first: 2) { nodes { name webhookUrl } } }"
        body = await gateway.body(query, gateway.issuer.token(scopes={"marketplace:write"}))
        assert body["data"] == {"apps": {"nodes": [{"name": "text", "webhookUrl": None}]}}
        assert [error["path"] for error in body["errors"]] == [["apps", "nodes", 0, "webhookUrl"]]


async def test_reject_unauthorized_refuses_the_whole_operation() -> None:
    config = GatewayConfig(auth=AuthConfig(reject_unauthorized=True))
    async with auth_gateway(config) as gateway:
        response = await gateway.post('{ app(id: "a") { name clientId webhookUrl } }')
        assert response.status_code == 403
        assert [error["path"] for error in response.json()["errors"]] == [
            ["app", "clientId"],
            ["app", "webhookUrl"],
        ]
        assert gateway.subgraphs.requests == []
        allowed = await gateway.body('{ app(id: "a") { name } }')
        assert allowed == {"data": {"app": {"name": "text"}}}


async def test_plans_are_shared_by_principals_denied_the_same_requirements() -> None:
    async with auth_gateway() as gateway:
        pipeline = gateway.client._transport.app.state.pipeline  # type: ignore[attr-defined]
        plans: PlanCache = pipeline.state.planner.__self__
        query = '{ app(id: "a") { name usageSummary { requests } webhookUrl } }'
        issuer = gateway.issuer
        await gateway.body(query)
        await gateway.body(query, issuer.token(app="app_1", scopes={"events:subscribe"}))
        await gateway.body(query, issuer.token(app="app_2", scopes={"installs:read"}))
        assert len(plans) == 1
        metrics = await gateway.body(query, issuer.token(app="app_3", scopes={"metrics:read"}))
        assert metrics["data"]["app"]["usageSummary"] == {"requests": 1}
        await gateway.body(query, issuer.token(app="app_4", scopes={"metrics:read", "x:y"}))
        assert len(plans) == 2


async def fields_of(gateway: Any, type_name: str, token: str | None) -> set[str]:
    body = await gateway.body(f'{{ __type(name: "{type_name}") {{ fields {{ name }} }} }}', token)
    found = body["data"]["__type"]
    return set() if found is None else {field["name"] for field in found["fields"]}


async def test_introspection_shows_each_token_its_own_schema() -> None:
    async with auth_gateway(GatewayConfig(introspection=True)) as gateway:
        anonymous = await fields_of(gateway, "App", None)
        analyst = await fields_of(gateway, "App", gateway.issuer.token(scopes={"metrics:read"}))
        assert "name" in anonymous
        assert "usageSummary" not in anonymous
        assert "usageSummary" in analyst
        assert "webhookSecret" not in analyst
        assert await fields_of(gateway, "UsageSummary", None) == set()
        # The anonymous view is a whole, valid schema (what GraphiQL loads).
        body = await gateway.body(get_introspection_query())
        schema = build_client_schema(body["data"])
        assert schema.mutation_type is None or "createApp" not in schema.mutation_type.fields
        assert "installations" not in schema.query_type.fields  # type: ignore[union-attr]


async def test_a_revoked_token_is_refused() -> None:
    async with auth_gateway() as gateway:
        issuer = gateway.issuer
        token = issuer.token(app="app_1", installation="inst_1", scopes={"apps:read"}, jti="t1")
        other = issuer.token(app="app_1", installation="inst_2", scopes={"apps:read"}, jti="t2")
        assert (await gateway.post("{ __typename }", token)).status_code == 200

        class Event:
            type = "installation.removed"
            payload = {"installation_id": "inst_1", "app_id": "app_1", "workspace_id": "ws"}
            occurred_at = datetime.now(UTC)

        gateway.revocations.apply(Event())
        assert (await gateway.post("{ __typename }", token)).status_code == 401
        assert (await gateway.post("{ __typename }", other)).status_code == 200


async def test_fields_inside_inline_fragments_are_authorized_like_any_other() -> None:
    """A fragment is no way around a field's requirements, with a type condition or without."""
    async with auth_gateway() as gateway:
        query = """{ app(id: "a") {
          name
          ... on App { webhookUrl }
          ... @include(if: true) { webhookSecret }
          ... on App { ... { slug } }
        } }"""
        body = await gateway.body(query)
        assert body["data"] == {
            "app": {"name": "text", "webhookUrl": None, "webhookSecret": None, "slug": "text"}
        }
        assert sorted(error["path"] for error in body["errors"]) == [
            ["app", "webhookSecret"],
            ["app", "webhookUrl"],
        ]
        assert {error["extensions"]["code"] for error in body["errors"]} == {UNAUTHORIZED}
        (sent,) = gateway.subgraphs.queries()
        assert "webhookUrl" not in sent
        assert "webhookSecret" not in sent
        # With the scopes, the same fragments are answered in full.
        allowed = await gateway.body(
            query, gateway.issuer.token(scopes={"apps:read", "apps:write"}, org="org_1")
        )
        assert "errors" not in allowed, allowed


@pytest.mark.parametrize(
    ("query", "sent", "denied"),
    [
        # Above the denied field, aliases and arguments stay as the client wrote them.
        (
            '{ mine: app(id: "a") { label: name webhookUrl ... on App { slug webhookSecret } } }',
            '{mine:app(id:"a"){label:name slug __typename}}',
            [["mine", "webhookUrl"], ["mine", "webhookSecret"]],
        ),
        # A fragment left with nothing to ask goes, the field keeps one thing to select.
        (
            '{ mine: app(id: "a") { label: name ... on App { webhookSecret } } }',
            '{mine:app(id:"a"){label:name __typename}}',
            [["mine", "webhookSecret"]],
        ),
        # Nothing denied: the operation goes as it came.
        ('{ mine: app(id: "a") { label: name } }', '{mine:app(id:"a"){label:name}}', []),
    ],
)
async def test_the_subgraph_is_asked_the_operation_minus_the_denied_fields(
    query: str, sent: str, denied: list[list[str]]
) -> None:
    async with auth_gateway() as gateway:
        body = await gateway.body(query)
        assert gateway.subgraphs.queries() == [sent]
        assert [error["path"] for error in body.get("errors", [])] == denied
        assert body["data"]["mine"]["label"] == "text"
