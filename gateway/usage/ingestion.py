"""`MetricsIngestion`: batches of usage records to the metrics subgraph's `recordUsage`.

The gateway is a client of the metrics subgraph like any other: it sends a bearer token the
subgraph verifies, obtained from the platform's issuer with the client credentials grant
(authlib's OAuth 2 client, which fetches a new token when the current one expires). No header
names the gateway; a token without `metrics:ingest` is refused by the subgraph.
A failure is `IngestionUnavailable` (retried: transport errors, 5xx, a 401 after which a new
token is fetched) or `IngestionRejected` (not retried: the subgraph refused the records).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import httpx
import orjson
from authlib.deprecate import AuthlibDeprecationWarning

from gateway.usage.config import IngestionCredentials
from gateway.usage.record import UsageRecord
from gateway.usage.sink import IngestionRejected, IngestionUnavailable

with warnings.catch_warnings():
    # authlib's client announces a future move from httpx to a fork; on this release it runs
    # on httpx, the project's HTTP client.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

RECORD_USAGE = (
    "mutation RecordUsage($records: [UsageRecordInput!]!) "
    "{ recordUsage(records: $records) { recorded } }"
)
TIMEOUT_SECONDS = 10.0
JSON_HEADERS = {"content-type": "application/json"}


class MetricsIngestion:
    def __init__(
        self,
        url: str,
        credentials: IngestionCredentials,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url
        self.credentials = credentials
        self.client = AsyncOAuth2Client(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            scope=credentials.scope,
            token_endpoint=credentials.token_url,
            grant_type="client_credentials",
            timeout=TIMEOUT_SECONDS,
            transport=transport,
        )

    async def send(self, records: Sequence[UsageRecord]) -> None:
        body = {"query": RECORD_USAGE, "variables": {"records": [r.as_input() for r in records]}}
        # orjson: a batch of 500 records encodes in a tenth of the time httpx's `json=` takes.
        content = orjson.dumps(body)
        try:
            if not self.client.token:
                await self.client.fetch_token(grant_type="client_credentials")
            response = await self.client.post(self.url, content=content, headers=JSON_HEADERS)
        except (httpx.HTTPError, OAuthError) as error:
            raise IngestionUnavailable(f"{type(error).__name__}: {error}") from error
        if response.status_code == 401:
            self.client.token = None  # revoked or signed by a retired key: sign in again
            raise IngestionUnavailable("the ingestion refused the gateway's token")
        if response.status_code >= 500:
            raise IngestionUnavailable(f"the ingestion answered {response.status_code}")
        try:
            answer: Any = response.json()
        except ValueError as error:
            raise IngestionUnavailable("the ingestion's answer is not JSON") from error
        errors = answer.get("errors") if isinstance(answer, dict) else None
        if errors or response.status_code != 200:
            raise IngestionRejected(f"the ingestion refused the batch: {errors or response.text}")

    async def close(self) -> None:
        await self.client.aclose()
