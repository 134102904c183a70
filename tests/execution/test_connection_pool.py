"""`HttpSubgraphClient` over real sockets (no transport injected: the lean connection pool).

A small HTTP/1.1 server on a localhost port answers with scripted bytes, so keep-alive reuse,
chunked bodies, closed connections, refusals and timeouts are the real thing.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
import struct
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gateway.execution import HttpSubgraphClient, SubgraphFetchError, SubgraphRequest
from gateway.execution.connection_pool import origin_of


class HangUp(bytes):
    """Answer bytes after which the server closes the connection (a partial answer)."""


class Reset(bytes):
    """Answer bytes after which the server resets the connection (TCP RST, not a close)."""


# What the server answers to one request: raw response bytes, or None to close without answer
# (or a future of either, to answer once the test sets it).
Script = Callable[[bytes], "bytes | asyncio.Future[bytes | None] | None"]


def json_response(body: object, *, status: str = "200 OK", extra: bytes = b"") -> bytes:
    content = orjson.dumps(body)
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(content)}\r\n".encode()
        + extra
        + b"\r\n"
        + content
    )


OK = json_response({"data": {"hello": "world"}})


@dataclass
class ScriptedServer:
    script: Script
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)
    port: int = 0
    # Set once the server has closed a connection.
    hung_up: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                answer = self.script(request)
                if isinstance(answer, asyncio.Future):
                    answer = await answer
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if isinstance(answer, Reset):
                    # Closed with a zero linger: the kernel sends RST instead of FIN.
                    writer.get_extra_info("socket").setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    break
                if isinstance(answer, HangUp):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            self.hung_up.set()


# A script, and the TLS context for an https server.
Serve = Callable[..., Awaitable[ScriptedServer]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    servers: list[asyncio.Server] = []

    async def start(script: Script, tls: ssl.SSLContext | None = None) -> ScriptedServer:
        scripted = ScriptedServer(script)
        server = await asyncio.start_server(scripted.handle, "127.0.0.1", 0, ssl=tls)
        servers.append(server)
        scripted.port = server.sockets[0].getsockname()[1]
        return scripted

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


@dataclass(frozen=True)
class Graph:
    name: str
    url: str


def graph_for(server: ScriptedServer, path: str = "/graphql") -> Graph:
    return Graph("products", f"http://127.0.0.1:{server.port}{path}")


REQUEST = SubgraphRequest(query="{ hello }")


async def test_connections_are_kept_alive_and_reused(serve: Serve) -> None:
    server = await serve(lambda _: OK)
    client = HttpSubgraphClient()
    try:
        for _ in range(3):
            response = await client.fetch(graph_for(server), REQUEST)
            assert response.data == {"hello": "world"}
    finally:
        await client.aclose()
    assert server.connections == 1
    assert len(server.requests) == 3


async def test_concurrent_fetches_each_get_their_own_answer(serve: Serve) -> None:
    def echo(request: bytes) -> bytes:
        query = orjson.loads(request.split(b"\r\n\r\n", 1)[1])["query"]
        return json_response({"data": {"query": query}})

    server = await serve(echo)
    client = HttpSubgraphClient()
    try:
        answers = await asyncio.gather(
            *(
                client.fetch(graph_for(server), SubgraphRequest(query=f"{{ field{index} }}"))
                for index in range(20)
            )
        )
    finally:
        await client.aclose()
    assert [answer.data for answer in answers] == [
        {"query": f"{{ field{index} }}"} for index in range(20)
    ]


async def test_the_request_carries_path_host_json_and_propagated_headers(serve: Serve) -> None:
    server = await serve(lambda _: OK)
    client = HttpSubgraphClient()
    request = SubgraphRequest(
        query="query($id: ID!) { node(id: $id) { id } }",
        operation_name="Op",
        variables={"id": "1"},
        headers={"authorization": "Bearer token", "traceparent": "00-abc-def-01"},
    )
    try:
        await client.fetch(graph_for(server, "/sub/graphql?x=1"), request)
    finally:
        await client.aclose()
    head, body = server.requests[0].split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /sub/graphql?x=1 HTTP/1.1"
    headers = dict(line.split(b": ", 1) for line in lines[1:])
    assert headers[b"host"] == f"127.0.0.1:{server.port}".encode()
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"authorization"] == b"Bearer token"
    assert headers[b"traceparent"] == b"00-abc-def-01"
    assert orjson.loads(body) == {
        "query": "query($id: ID!) { node(id: $id) { id } }",
        "operationName": "Op",
        "variables": {"id": "1"},
    }


async def test_a_chunked_answer_is_reassembled(serve: Serve) -> None:
    content = orjson.dumps({"data": {"hello": "chunks"}})
    chunked = (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
        + f"{5:x}\r\n".encode()
        + content[:5]
        + b"\r\n"
        + f"{len(content) - 5:x}\r\n".encode()
        + content[5:]
        + b"\r\n0\r\n\r\n"
    )
    server = await serve(lambda _: chunked)
    client = HttpSubgraphClient()
    try:
        first = await client.fetch(graph_for(server), REQUEST)
        second = await client.fetch(graph_for(server), REQUEST)
    finally:
        await client.aclose()
    assert first.data == second.data == {"hello": "chunks"}
    assert server.connections == 1


async def test_connection_close_is_honoured(serve: Serve) -> None:
    server = await serve(lambda _: json_response({"data": {}}, extra=b"connection: close\r\n"))
    client = HttpSubgraphClient()
    try:
        for _ in range(2):
            await client.fetch(graph_for(server), REQUEST)
    finally:
        await client.aclose()
    assert server.connections == 2


async def test_a_non_2xx_answer_is_an_http_error(serve: Serve) -> None:
    server = await serve(lambda _: json_response({}, status="503 Service Unavailable"))
    client = HttpSubgraphClient()
    try:
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(graph_for(server), REQUEST)
    finally:
        await client.aclose()
    assert raised.value.error(["products"]) == {
        "message": "HTTP fetch failed from 'products': 503 Service Unavailable",
        "path": ["products"],
        "extensions": {
            "code": "SUBREQUEST_HTTP_ERROR",
            "service": "products",
            "http": {"status": 503},
        },
    }


async def test_a_server_that_hangs_up_without_answering(serve: Serve) -> None:
    server = await serve(lambda _: None)
    client = HttpSubgraphClient()
    try:
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(graph_for(server), REQUEST)
    finally:
        await client.aclose()
    assert raised.value.message == (
        "HTTP fetch failed from 'products': Server disconnected without sending a response"
    )


async def test_a_refused_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HttpSubgraphClient()
    try:
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(Graph("products", f"http://127.0.0.1:{port}/graphql"), REQUEST)
    finally:
        await client.aclose()
    assert raised.value.message == "HTTP fetch failed from 'products': Connection refused"
    assert raised.value.extensions == {"code": "SUBREQUEST_HTTP_ERROR", "service": "products"}


async def test_a_timed_out_connection_is_not_reused(serve: Serve) -> None:
    # The first request gets no answer (the connection stays open); later ones do.
    answers = iter([b"", OK, OK])

    def script(_: bytes) -> bytes:
        return next(answers)

    server = await serve(script)
    # 0.6 s, not less: a reported duration off by a thousandth would round away below.
    client = HttpSubgraphClient(timeout_seconds=0.6)
    try:
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(graph_for(server), REQUEST)
        assert raised.value.message == "Request to subgraph 'products' timed out after 600 ms"
        # The subgraph sees the connection closed at once: nothing waits for its answer.
        await asyncio.wait_for(server.hung_up.wait(), 5)
        response = await client.fetch(graph_for(server), REQUEST)
    finally:
        await client.aclose()
    assert response.data == {"hello": "world"}
    assert server.connections == 2


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"x-user": "a\r\nx-admin: yes"}, id="line break in a value"),
        pytest.param({"x-user": "a\rx-admin: yes"}, id="carriage return in a value"),
        pytest.param({"x-user": "a\nx-admin: yes"}, id="line feed in a value"),
        pytest.param({"x-user\rx-admin": "yes"}, id="carriage return in a name"),
        pytest.param({"x-user\nx-admin": "yes"}, id="line feed in a name"),
        pytest.param({"x-admin: yes": "a"}, id="colon in a name"),
    ],
)
async def test_header_values_cannot_inject_lines(serve: Serve, headers: dict[str, str]) -> None:
    server = await serve(lambda _: OK)
    client = HttpSubgraphClient()
    try:
        with pytest.raises(ValueError, match="cannot be sent"):
            await client.fetch(graph_for(server), SubgraphRequest("{ hello }", headers=headers))
    finally:
        await client.aclose()
    assert server.requests == []


@pytest.mark.parametrize(
    ("url", "host_header", "target"),
    [
        ("http://example.com/graphql", b"example.com", b"/graphql"),
        ("http://example.com:8080", b"example.com:8080", b"/"),
        ("https://example.com/a?b=c", b"example.com", b"/a?b=c"),
        ("http://[::1]:4001/graphql", b"[::1]:4001", b"/graphql"),
    ],
)
def test_origins(url: str, host_header: bytes, target: bytes) -> None:
    origin = origin_of(url)
    assert (origin.host_header, origin.target) == (host_header, target)


# Requests with headers of their own and without take different paths to the pool.
WITH_AND_WITHOUT_HEADERS = pytest.mark.parametrize(
    "headers", [{}, {"authorization": "Bearer t"}], ids=["no headers", "headers"]
)


@WITH_AND_WITHOUT_HEADERS
async def test_a_reused_connection_the_server_closed_is_retried_once(
    serve: Serve, headers: dict[str, str]
) -> None:
    # The server hangs up on the second request on the kept-alive connection without a byte
    # of answer (as a server closing an idle connection does): it is sent again, once, on a
    # new connection.
    answers = iter([OK, None, OK])
    server = await serve(lambda _: next(answers))
    client = HttpSubgraphClient()
    try:
        first = await client.fetch(graph_for(server), REQUEST)
        second = await client.fetch(
            graph_for(server), SubgraphRequest("{ hello }", headers=headers)
        )
    finally:
        await client.aclose()
    assert first.data == second.data == {"hello": "world"}
    assert server.connections == 2
    assert len(server.requests) == 3


async def test_a_retry_that_fails_too_is_reported(serve: Serve) -> None:
    answers = iter([OK, None, None])
    server = await serve(lambda _: next(answers))
    client = HttpSubgraphClient()
    try:
        await client.fetch(graph_for(server), REQUEST)
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(graph_for(server), REQUEST)
    finally:
        await client.aclose()
    assert raised.value.message == (
        "HTTP fetch failed from 'products': Server disconnected without sending a response"
    )
    assert len(server.requests) == 3


async def test_an_answer_over_the_size_limit_fails_with_a_code_and_is_not_held(
    serve: Serve,
) -> None:
    answers = [json_response({"data": {"hello": "x" * 3_000_000}}), OK]
    server = await serve(lambda _: answers.pop(0))
    client = HttpSubgraphClient(max_response_bytes=1_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(graph_for(server), REQUEST)
        peak = tracemalloc.get_traced_memory()[1]
        small = await client.fetch(graph_for(server), SubgraphRequest(query="{ hello }"))
    finally:
        tracemalloc.stop()
        await client.aclose()

    assert raised.value.extensions == {
        "code": "SUBREQUEST_RESPONSE_TOO_LARGE",
        "service": "products",
    }
    # The scripted answer itself is 3 MB in this process; the client kept less than half.
    assert peak < 1_500_000
    # A fresh connection: the one with the rest of the oversized answer was closed.
    assert small.data == {"hello": "world"}
    assert server.connections == 2


async def test_an_answer_exactly_at_the_size_limit_is_read(serve: Serve) -> None:
    body_size = len(orjson.dumps({"data": {"hello": "world"}}))
    server = await serve(lambda _: OK)
    client = HttpSubgraphClient(max_response_bytes=body_size)
    try:
        response = await client.fetch(graph_for(server), REQUEST)
    finally:
        await client.aclose()

    assert response.data == {"hello": "world"}


MUTATION = SubgraphRequest(query="mutation { pay(amount: 10) }", idempotent=False)


async def test_a_first_request_on_a_new_connection_is_never_retried(serve: Serve) -> None:
    # A fresh connection cannot be stale: a hang-up there is the server's answer.
    server = await serve(lambda _: None)
    client = HttpSubgraphClient()
    try:
        with pytest.raises(SubgraphFetchError):
            await client.fetch(graph_for(server), REQUEST)
    finally:
        await client.aclose()
    assert len(server.requests) == 1
    assert server.connections == 1


async def test_a_partial_answer_is_never_sent_again(serve: Serve) -> None:
    # The server started answering on a reused connection, then hung up: it saw the request,
    # so sending it again could run it twice.
    answers = iter([OK, HangUp(OK[:20]), OK])
    server = await serve(lambda _: next(answers))
    client = HttpSubgraphClient()
    try:
        await client.fetch(graph_for(server), REQUEST)
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(graph_for(server), REQUEST)
        after = await client.fetch(graph_for(server), REQUEST)
    finally:
        await client.aclose()
    assert raised.value.extensions == {"code": "SUBREQUEST_HTTP_ERROR", "service": "products"}
    assert len(server.requests) == 3
    # The broken connection is dropped, not pooled: the next request opened another.
    assert after.data == {"hello": "world"}
    assert server.connections == 2


@WITH_AND_WITHOUT_HEADERS
async def test_a_mutation_lost_on_a_stale_connection_is_never_sent_twice(
    serve: Serve, headers: dict[str, str]
) -> None:
    # The same hang-up that gets a query retried (see above): the server may have run the
    # mutation before closing, so it is reported, not repeated.
    answers = iter([OK, None, OK])
    server = await serve(lambda _: next(answers))
    client = HttpSubgraphClient()
    mutation = SubgraphRequest(MUTATION.query, headers=headers, idempotent=False)
    try:
        await client.fetch(graph_for(server), REQUEST)
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(graph_for(server), mutation)
    finally:
        await client.aclose()
    assert raised.value.message == (
        "HTTP fetch failed from 'products': Server disconnected without sending a response"
    )
    assert [request.count(b"mutation") for request in server.requests] == [0, 1]


async def test_an_answer_that_is_not_http_is_a_fetch_error_and_not_retried(serve: Serve) -> None:
    answers = iter([OK, b"SMTP ready\r\n\r\n", OK])
    server = await serve(lambda _: next(answers))
    client = HttpSubgraphClient()
    try:
        await client.fetch(graph_for(server), REQUEST)
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(graph_for(server), REQUEST)
        after = await client.fetch(graph_for(server), REQUEST)
    finally:
        await client.aclose()
    assert raised.value.message.startswith(
        "HTTP fetch failed from 'products': invalid HTTP response: "
    )
    assert raised.value.extensions == {"code": "SUBREQUEST_HTTP_ERROR", "service": "products"}
    assert len(server.requests) == 3
    assert after.data == {"hello": "world"}
    assert server.connections == 2


async def test_a_connection_that_answered_twice_is_not_used_again(serve: Serve) -> None:
    # A broken server sends a second answer nobody asked for. Had it come a moment later, it
    # would have been taken for the next request's answer: the connection is dropped at once,
    # and a mutation following straight after (never sent twice) goes out on a new one.
    stray = json_response({"data": {"hello": "stray"}})
    server = await serve(lambda _: OK + stray)
    # Without deduplication a fetch runs in its caller's task, so the mutation goes out at once.
    client = HttpSubgraphClient(deduplicate_queries=False)
    try:
        first = await client.fetch(graph_for(server), REQUEST)
        second = await client.fetch(graph_for(server), MUTATION)
    finally:
        await client.aclose()
    assert first.data == second.data == {"hello": "world"}
    assert server.connections == 2
    assert len(server.requests) == 2


async def test_a_connection_the_server_closed_while_idle_is_not_reused(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    answers = iter([HangUp(OK), OK])
    server = await serve(lambda _: next(answers))
    client = HttpSubgraphClient(timeout_seconds=2)
    try:
        first = await client.fetch(graph_for(server), REQUEST)
        await server.hung_up.wait()
        for _ in range(20):  # the client reads the end of the connection
            await asyncio.sleep(0)
        second = await client.fetch(graph_for(server), REQUEST)
    finally:
        await client.aclose()
    assert first.data == second.data == {"hello": "world"}
    # The second request went straight to a new connection, none was lost on the closed one.
    assert server.connections == 2
    assert len(server.requests) == 2
    # The end of an idle connection is no error (nobody waits for an answer on it).
    assert [record.getMessage() for record in caplog.records if record.name == "asyncio"] == []


async def test_a_reset_connection_is_reported_as_such(serve: Serve) -> None:
    server = await serve(lambda _: Reset())
    client = HttpSubgraphClient()
    try:
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(graph_for(server), REQUEST)
    finally:
        await client.aclose()
    assert raised.value.message == "HTTP fetch failed from 'products': Connection reset by peer"
    assert len(server.requests) == 1


async def test_at_most_max_connections_are_open_to_a_subgraph(serve: Serve) -> None:
    server = await serve(lambda _: OK)
    client = HttpSubgraphClient(max_connections=1, deduplicate_queries=False)
    try:
        answers = await asyncio.gather(
            *(client.fetch(graph_for(server), REQUEST) for _ in range(3))
        )
    finally:
        await client.aclose()
    assert [answer.data for answer in answers] == [{"hello": "world"}] * 3
    # The others waited for the one connection and were sent on it, one after another.
    assert server.connections == 1
    assert len(server.requests) == 3


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key: (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_file, key_file = folder / "certificate.pem", folder / "key.pem"
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificate_file, key_file


@pytest.fixture
def tls(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    """A TLS server context and the file of its certificate."""
    certificate_file, key_file = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate_file, key_file)
    return context, certificate_file


async def test_an_https_subgraph_is_reached_over_tls(
    serve: Serve, tls: tuple[ssl.SSLContext, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    context, certificate_file = tls
    # The client trusts the certificates of the default store: here, this one.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate_file))
    server = await serve(lambda _: OK, context)
    client = HttpSubgraphClient()
    try:
        for _ in range(2):
            response = await client.fetch(
                Graph("products", f"https://127.0.0.1:{server.port}/graphql"), REQUEST
            )
            assert response.data == {"hello": "world"}
    finally:
        await client.aclose()
    assert server.connections == 1


async def test_an_https_subgraph_with_an_untrusted_certificate_is_refused(
    serve: Serve, tls: tuple[ssl.SSLContext, Path]
) -> None:
    server = await serve(lambda _: OK, tls[0])
    client = HttpSubgraphClient()
    try:
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(
                Graph("products", f"https://127.0.0.1:{server.port}/graphql"), REQUEST
            )
    finally:
        await client.aclose()
    assert "certificate verify failed: self-signed certificate" in raised.value.message
    assert server.requests == []


async def test_an_answer_arriving_after_the_client_closed_leaves_no_connection_open(
    serve: Serve,
) -> None:
    asked = asyncio.Event()
    later: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()

    def script(_: bytes) -> asyncio.Future[bytes | None]:
        asked.set()
        return later

    server = await serve(script)
    client = HttpSubgraphClient()
    fetch = asyncio.create_task(client.fetch(graph_for(server), REQUEST))
    await asyncio.wait_for(asked.wait(), 5)
    await client.aclose()
    later.set_result(OK)

    assert (await fetch).data == {"hello": "world"}
    # Not kept for a next request: closed, as the subgraph sees.
    await asyncio.wait_for(server.hung_up.wait(), 5)


async def test_a_subgraphs_url_can_be_overridden(serve: Serve) -> None:
    server = await serve(lambda _: OK)
    with socket.socket() as probe:  # a port nothing listens on: the supergraph's URL
        probe.bind(("127.0.0.1", 0))
        unused = probe.getsockname()[1]
    client = HttpSubgraphClient(url_overrides={"products": f"http://127.0.0.1:{server.port}/g"})
    try:
        response = await client.fetch(Graph("products", f"http://127.0.0.1:{unused}/"), REQUEST)
    finally:
        await client.aclose()
    assert response.data == {"hello": "world"}
    assert server.requests[0].startswith(b"POST /g HTTP/1.1\r\n")
