"""Where a delivery may go: the guard against server-side request forgery.

An endpoint URL is the app developer's input, and the sender runs inside the platform's network,
so a URL could aim it at the cloud metadata service (`169.254.169.254`), a database on
`10.0.0.5` or the sender's own loopback. The guard resolves the host on every attempt, refuses
unless every address it resolves to is public, and hands back the address to connect to: the
request goes to that checked address (with the original `Host` and TLS server name), so a DNS
answer that changes between the check and the connection (DNS rebinding) cannot slip past.

Hosts in the development allow-list (`WEBHOOK_ALLOWED_HOSTS`, comma-separated, e.g.
`localhost,127.0.0.1`) skip the address check and may use plain http; every other endpoint must be
https. Never allow-list a host in production.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

ALLOWED_HOSTS_VARIABLE = "WEBHOOK_ALLOWED_HOSTS"

# host, port → the addresses the host resolves to.
Resolver = Callable[[str, int], Awaitable[list[str]]]
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeDestination(Exception):
    """The endpoint may not be called: a refused scheme, a non-public address, no address."""


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    answers = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(answer[4][0]) for answer in answers]


def allowed_hosts_from_environment() -> frozenset[str]:
    configured = os.environ.get(ALLOWED_HOSTS_VARIABLE, "")
    return frozenset(normal_host(host) for host in configured.split(",") if host.strip())


def normal_host(host: str) -> str:
    return host.strip().strip("[]").lower().rstrip(".")


def is_public(address: Address) -> bool:
    """Reachable on the public internet: not private, loopback, link-local, unique-local,
    shared (CGNAT), multicast, reserved or unspecified."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)  # ::ffff:127.0.0.1 is loopback
    return address.is_global and not address.is_multicast


@dataclass(frozen=True)
class Destination:
    """A checked endpoint: connect to `address`, speak to `host`."""

    url: SplitResult
    host: str
    port: int
    address: str

    @property
    def target(self) -> str:
        """The URL with the checked address in place of the host."""
        literal = f"[{self.address}]" if ":" in self.address else self.address
        return self.url._replace(netloc=f"{literal}:{self.port}").geturl()

    @property
    def host_header(self) -> str:
        default = 443 if self.url.scheme == "https" else 80
        literal = f"[{self.host}]" if ":" in self.host else self.host
        return literal if self.port == default else f"{literal}:{self.port}"


@dataclass(frozen=True)
class DestinationGuard:
    allowed_hosts: Collection[str] = frozenset()
    resolver: Resolver = field(default=system_resolver)

    @classmethod
    def from_environment(cls) -> DestinationGuard:
        return cls(allowed_hosts=allowed_hosts_from_environment())

    def is_allowed_host(self, host: str) -> bool:
        return normal_host(host) in self.allowed_hosts

    def check_url(self, url: str) -> SplitResult:
        """The URL's form alone: https (or http for an allowed host), a host, no credentials."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a port out of range
        except ValueError:
            raise UnsafeDestination("the endpoint URL does not parse") from None
        host = parts.hostname
        if not host:
            raise UnsafeDestination("the endpoint URL has no host")
        if parts.username is not None or parts.password is not None:
            raise UnsafeDestination("the endpoint URL may not carry credentials")
        if parts.scheme != "https" and not (parts.scheme == "http" and self.is_allowed_host(host)):
            raise UnsafeDestination("the endpoint must use https")
        return parts

    async def resolve(self, url: str) -> Destination:
        """The address to deliver to, checked now; `UnsafeDestination` if there is none."""
        parts = self.check_url(url)
        host = normal_host(parts.hostname or "")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                answers = await self.resolver(host, port)
            except OSError as error:
                raise UnsafeDestination(f"{host} does not resolve: {error}") from None
            addresses = [ipaddress.ip_address(answer.split("%", 1)[0]) for answer in answers]
        if not addresses:
            raise UnsafeDestination(f"{host} resolves to no address")
        if not self.is_allowed_host(host):
            refused = [str(address) for address in addresses if not is_public(address)]
            if refused:
                raise UnsafeDestination(
                    f"{host} resolves to a non-public address ({', '.join(refused)})"
                )
        return Destination(url=parts, host=host, port=port, address=str(addresses[0]))
