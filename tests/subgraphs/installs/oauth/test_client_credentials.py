"""App-level tokens (client credentials), the JWKS and the metadata, and the token endpoint's
errors (RFC 6749 §5.2)."""

from __future__ import annotations

from subgraphs.demo.world import World
from tests.subgraphs.installs.oauth.conftest import (
    ISSUER,
    RESOURCE_SERVER_CLIENT_ID,
    RESOURCE_SERVER_SECRET,
    Issuer,
    basic,
    published,
)

SECRET = "cs_the-apps-client-secret-0123456789abcdef"


async def test_the_jwks_publishes_public_es256_keys_only(issuer: Issuer) -> None:
    response = await issuer.http.get("/.well-known/jwks.json")
    assert response.status_code == 200
    [key] = response.json()["keys"]
    assert key["kty"] == "EC"
    assert key["alg"] == "ES256"
    assert key["use"] == "sig"
    assert key["kid"]
    assert "d" not in key


async def test_the_metadata_names_the_endpoints(issuer: Issuer) -> None:
    metadata = (await issuer.http.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["issuer"] == ISSUER
    assert metadata["token_endpoint"] == f"{ISSUER}/oauth/token"
    assert metadata["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert "client_credentials" in metadata["grant_types_supported"]


async def test_client_credentials_give_an_app_level_token(issuer: Issuer, demo: World) -> None:
    app = published(demo)
    await issuer.give_secret(app, SECRET)
    response = await issuer.token(
        {"grant_type": "client_credentials"}, **basic(app.client_id, SECRET)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert "refresh_token" not in body
    claims = await issuer.verify(body["access_token"])
    assert claims["sub"] == app.id
    assert claims["app"] == app.id
    assert claims["client_id"] == app.client_id
    assert claims["scope"].split() == sorted(app.requested_scopes)
    assert "installation" not in claims
    assert "workspace" not in claims
    assert claims["exp"] - claims["iat"] == 900
    introspected = await issuer.introspect(body["access_token"])
    assert introspected["active"] is True
    assert introspected["app"] == app.id


async def test_client_credentials_narrow_to_the_scopes_asked(issuer: Issuer, demo: World) -> None:
    app = published(demo)
    await issuer.give_secret(app, SECRET)
    scope = app.requested_scopes[0]
    response = await issuer.token(
        {
            "grant_type": "client_credentials",
            "scope": scope,
            "client_id": app.client_id,
            "client_secret": SECRET,
        }
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == scope


async def test_a_scope_the_app_never_requested_is_invalid_scope(
    issuer: Issuer, demo: World
) -> None:
    app = published(demo)
    await issuer.give_secret(app, SECRET)
    unrequested = "platform:admin"
    response = await issuer.token(
        {"grant_type": "client_credentials", "scope": unrequested},
        **basic(app.client_id, SECRET),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


async def test_a_wrong_secret_or_unknown_client_is_invalid_client(
    issuer: Issuer, demo: World
) -> None:
    app = published(demo)
    await issuer.give_secret(app, SECRET)
    for client_id, secret in ((app.client_id, "cs_wrong"), ("client_unknown", SECRET)):
        response = await issuer.token(
            {"grant_type": "client_credentials"}, **basic(client_id, secret)
        )
        assert response.status_code == 401, response.text
        assert response.json()["error"] == "invalid_client"


async def test_an_app_without_a_secret_cannot_authenticate(issuer: Issuer, demo: World) -> None:
    app = published(demo)  # seeded apps have no secret until their owner issues one
    response = await issuer.token({"grant_type": "client_credentials"}, **basic(app.client_id, ""))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_a_suspended_app_is_unauthorized_client(issuer: Issuer, demo: World) -> None:
    app = published(demo)
    await issuer.give_secret(app, SECRET, new_status="SUSPENDED")
    response = await issuer.token(
        {"grant_type": "client_credentials"}, **basic(app.client_id, SECRET)
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


async def test_an_unknown_grant_type_is_unsupported(issuer: Issuer, demo: World) -> None:
    app = published(demo)
    await issuer.give_secret(app, SECRET)
    response = await issuer.token({"grant_type": "password"}, **basic(app.client_id, SECRET))
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


async def test_a_json_body_is_invalid_request(issuer: Issuer) -> None:
    response = await issuer.http.post("/oauth/token", json={"grant_type": "client_credentials"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_guessing_a_secret_is_throttled(issuer: Issuer, demo: World) -> None:
    app = published(demo)
    await issuer.give_secret(app, SECRET)
    for _ in range(10):
        wrong = await issuer.token(
            {"grant_type": "client_credentials"}, **basic(app.client_id, "cs_guess")
        )
        assert wrong.status_code == 401
    # Even the right secret waits now: the throttle must not tell a guesser it was right.
    throttled = await issuer.token(
        {"grant_type": "client_credentials"}, **basic(app.client_id, SECRET)
    )
    assert throttled.status_code == 429
    assert throttled.json()["error"] == "slow_down"
    assert int(throttled.headers["retry-after"]) > 0


async def test_the_resource_server_gets_an_ingest_token_and_nothing_more(issuer: Issuer) -> None:
    """The gateway's credential for writing usage records (gateway/usage/ingestion.py)."""
    response = await issuer.token(
        {"grant_type": "client_credentials", "scope": "metrics:ingest"},
        **basic(RESOURCE_SERVER_CLIENT_ID, RESOURCE_SERVER_SECRET),
    )
    assert response.status_code == 200, response.text
    claims = await issuer.verify(response.json()["access_token"])
    assert claims["scope"] == "metrics:ingest"
    assert claims["sub"] == RESOURCE_SERVER_CLIENT_ID
    assert "app" not in claims

    wider = await issuer.token(
        {"grant_type": "client_credentials", "scope": "metrics:ingest platform:admin"},
        **basic(RESOURCE_SERVER_CLIENT_ID, RESOURCE_SERVER_SECRET),
    )
    assert wider.status_code == 400
    assert wider.json()["error"] == "invalid_scope"

    wrong_secret = await issuer.token(
        {"grant_type": "client_credentials", "scope": "metrics:ingest"},
        **basic(RESOURCE_SERVER_CLIENT_ID, "not-the-secret"),
    )
    assert wrong_secret.status_code == 401
