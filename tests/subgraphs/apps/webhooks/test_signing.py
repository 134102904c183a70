"""Our signatures, checked by the `standardwebhooks` library, and the secrets' form."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from subgraphs.apps.credentials import WEBHOOK_KEY_BYTES, new_webhook_secret
from subgraphs.apps.webhooks import signing
from subgraphs.demo.world import world

BODY = b'{"type":"app.updated","timestamp":"2026-12-01T07:00:00+00:00","data":{"app_id":"a"}}'


def now() -> int:
    return int(datetime.now(UTC).timestamp())


def test_new_secrets_are_whsec_and_base64_of_random_bytes() -> None:
    secret = new_webhook_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == WEBHOOK_KEY_BYTES
    assert new_webhook_secret() != secret


def test_demo_secrets_are_standard_too() -> None:
    for app in world().apps:
        assert len(signing.secret_key(app.webhook_secret)) == WEBHOOK_KEY_BYTES


def test_the_library_verifies_our_signature() -> None:
    secret = new_webhook_secret()
    headers = signing.headers([secret], "msg_1", now(), BODY)
    assert Webhook(secret).verify(BODY, headers) == {
        "type": "app.updated",
        "timestamp": "2026-12-01T07:00:00+00:00",
        "data": {"app_id": "a"},
    }
    # And signs the same bytes the same way.
    moment = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
    assert Webhook(secret).sign("msg_1", moment, BODY.decode()) == headers["webhook-signature"]


def test_every_secret_in_rotation_verifies_alone() -> None:
    old, new = new_webhook_secret(), new_webhook_secret()
    headers = signing.headers([new, old], "msg_2", now(), BODY)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(BODY, headers)
    Webhook(new).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_webhook_secret()).verify(BODY, headers)


@pytest.mark.parametrize(
    ("change", "value"),
    [("webhook-id", "msg_other"), ("webhook-timestamp", None)],
)
def test_the_signature_covers_id_and_timestamp(change: str, value: str | None) -> None:
    secret = new_webhook_secret()
    headers = signing.headers([secret], "msg_3", now(), BODY)
    headers[change] = value or str(int(headers[change]) - 1)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, headers)


def test_a_secret_that_is_not_base64_is_refused() -> None:
    with pytest.raises(signing.InvalidSecret):
        signing.secret_key("whsec_not base64!")
    with pytest.raises(signing.InvalidSecret):
        signing.secret_key("whsec_")
