"""`--auth`: the gateway measured again with a valid access token on every request.

A bench issuer (ES256 keys from joserfc) serves its JWKS on a free localhost port; the gateway
trusts it through a `switchboard.yaml` `auth:` section. One token is minted per connection, so
every connection verifies its own token and nothing can be answered from a cache keyed by token
(wrk, one thread, goes further: it sends the next token on every request). The comparison with
the run without auth is the cost of authentication and authorization on the hot path.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from joserfc import jwt
from joserfc.jwk import ECKey

ISSUER = "https://bench.issuer.invalid"
SCOPES = "metrics:read installs:read apps:read"


@dataclass(frozen=True)
class BenchAuth:
    config_path: Path
    tokens: tuple[str, ...]

    def headers(self, index: int = 0) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[index % len(self.tokens)]}"}


def mint_tokens(key: ECKey, count: int, lifetime: int = 900) -> tuple[str, ...]:
    now = int(time.time())
    return tuple(
        jwt.encode(
            {"alg": "ES256", "typ": "at+jwt", "kid": key.kid},
            {
                "iss": ISSUER,
                "aud": "switchboard",
                "iat": now,
                "nbf": now,
                "exp": now + lifetime,
                "jti": uuid.uuid4().hex,
                "sub": f"app_bench_{index}",
                "app": f"app_bench_{index}",
                "installation": f"inst_bench_{index}",
                "workspace": "ws_bench",
                "client_id": f"app_bench_{index}",
                "scope": SCOPES,
            },
            key,
            algorithms=["ES256"],
        )
        for index in range(count)
    )


@contextmanager
def bench_issuer(
    work_directory: Path, connections: int, more_config: str = ""
) -> Iterator[BenchAuth]:
    """The JWKS served for the run's length, the gateway's config (trusting it, plus
    `more_config`, YAML), a token per connection."""
    key = ECKey.generate_key("P-256", parameters={"kid": uuid.uuid4().hex[:12]})
    jwks = json.dumps({"keys": [key.as_dict(private=False, use="sig", alg="ES256")]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(jwks)))
            self.end_headers()
            self.wfile.write(jwks)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    config = work_directory / "switchboard-auth.yaml"
    jwks_url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    config.write_text(
        f"auth:\n  issuers:\n    - issuer: {ISSUER}\n      jwks_url: {jwks_url}\n{more_config}",
        encoding="utf-8",
    )
    try:
        yield BenchAuth(config, mint_tokens(key, max(1, connections)))
    finally:
        server.shutdown()
        server.server_close()
