"""authlib's `AuthorizationServer`, bound to Starlette and to the request's `Exchange`.

Requests reach authlib as `FormRequest`s: the method, the issuer-based URI, the headers, and
the parameters already read (within a size bound) by the route. authlib's answers become
Starlette responses; its errors carry RFC 6749 §5.2 bodies and statuses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from authlib.oauth2.rfc6749 import AuthorizationServer, OAuth2Payload, OAuth2Request
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from subgraphs.installs.oauth import grants
from subgraphs.installs.oauth.clients import Client
from subgraphs.installs.oauth.config import IdentityConfig
from subgraphs.installs.oauth.endpoints import Introspection, Revocation
from subgraphs.installs.oauth.exchange import current
from subgraphs.installs.oauth.scopes import ALL_SCOPES

MAX_FORM_BYTES = 16 * 1024
MAX_FIELDS = 64
FORM_TYPE = "application/x-www-form-urlencoded"


class FormTooLarge(ValueError):
    pass


class ParameterPayload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in items:
            self._datalist[key].append(value)
        # The first value of each parameter; repeats are refused where they matter (§3.1).
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class FormRequest(OAuth2Request):  # type: ignore[misc]
    def __init__(
        self, method: str, uri: str, headers: Mapping[str, str], items: Sequence[tuple[str, str]]
    ) -> None:
        super().__init__(method=method, uri=uri, headers=headers)
        self.payload = ParameterPayload(items)

    @property
    def args(self) -> dict[str, str]:
        return self.payload.data  # type: ignore[no-any-return]

    @property
    def form(self) -> dict[str, str]:
        return self.payload.data  # type: ignore[no-any-return]


async def read_form(request: Request) -> list[tuple[str, str]]:
    """The urlencoded body's parameters, reading at most `MAX_FORM_BYTES`."""
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLarge()
    try:
        return parse_qsl(
            body.decode(), keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise FormTooLarge() from error


def is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == FORM_TYPE


class SwitchboardAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, config: IdentityConfig) -> None:
        super().__init__(scopes_supported=sorted(ALL_SCOPES))
        self.config = config
        self.register_grant(grants.AuthorizationCodeGrant, [grants.S256Challenge(required=True)])
        self.register_grant(grants.RefreshTokenGrant)
        self.register_grant(grants.ClientCredentialsGrant)
        self.register_endpoint(Revocation)
        self.register_endpoint(Introspection)
        self.register_token_generator("default", grants.generate_token)

    def request(self, request: Request, items: Sequence[tuple[str, str]]) -> FormRequest:
        uri = self.config.issuer + request.url.path
        if request.url.query:
            uri += "?" + request.url.query
        return FormRequest(request.method, uri, request.headers, items)

    # authlib's framework hooks

    def query_client(self, client_id: str) -> Client | None:
        return current().client(client_id)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        grants.save_token(token, request)

    def create_oauth2_request(self, request: Any) -> Any:
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        header_map = dict(headers or [])
        if isinstance(body, dict):
            header_map.pop("Content-Type", None)
            return JSONResponse(body, status_code=status, headers=header_map)
        return Response(body or b"", status_code=status, headers=header_map)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None
