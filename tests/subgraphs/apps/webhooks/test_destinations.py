"""The guard against server-side request forgery: non-public addresses are refused, after
resolution, unless the host is in the development allow-list."""

from __future__ import annotations

import pytest

from subgraphs.apps.webhooks.destinations import DestinationGuard, UnsafeDestination

DNS = {
    "loopback.example.test": ["127.0.0.1"],
    "private.example.test": ["10.0.0.1"],
    "metadata.example.test": ["169.254.169.254"],
    "v6-loopback.example.test": ["::1"],
    "mapped.example.test": ["::ffff:127.0.0.1"],
    "mixed.example.test": ["93.184.215.14", "192.168.1.10"],
    "public.example.test": ["93.184.215.14"],
}
asked: list[str] = []


async def stub_resolver(host: str, port: int) -> list[str]:
    asked.append(host)
    if host not in DNS:
        raise OSError(f"unknown host {host}")
    return DNS[host]


GUARD = DestinationGuard(resolver=stub_resolver)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://10.0.0.1/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://100.64.0.1/hooks",
        "https://0.0.0.0/hooks",
        "https://loopback.example.test/hooks",
        "https://private.example.test/hooks",
        "https://metadata.example.test/hooks",
        "https://v6-loopback.example.test/hooks",
        "https://mapped.example.test/hooks",
        "https://mixed.example.test/hooks",
    ],
)
async def test_non_public_addresses_are_refused(url: str) -> None:
    with pytest.raises(UnsafeDestination, match="non-public"):
        await GUARD.resolve(url)


async def test_a_public_host_resolves_to_the_checked_address() -> None:
    destination = await GUARD.resolve("https://public.example.test:8443/hooks?x=1")
    assert destination.address == "93.184.215.14"
    assert destination.target == "https://93.184.215.14:8443/hooks?x=1"
    assert destination.host_header == "public.example.test:8443"
    assert destination.host == "public.example.test"


async def test_every_attempt_resolves_again() -> None:
    asked.clear()
    await GUARD.resolve("https://public.example.test/hooks")
    await GUARD.resolve("https://public.example.test/hooks")
    assert asked == ["public.example.test", "public.example.test"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://public.example.test/hooks", "https"),
        ("ftp://public.example.test/hooks", "https"),
        ("https://user:pass@public.example.test/hooks", "credentials"),
        ("https:///hooks", "no host"),
        ("https://nowhere.example.test/hooks", "does not resolve"),
    ],
)
async def test_bad_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeDestination, match=reason):
        await GUARD.resolve(url)


async def test_the_development_allow_list_lets_a_local_receiver_through() -> None:
    guard = DestinationGuard(
        allowed_hosts={"127.0.0.1", "loopback.example.test"}, resolver=stub_resolver
    )
    local = await guard.resolve("http://127.0.0.1:8123/hooks")
    assert local.target == "http://127.0.0.1:8123/hooks"
    named = await guard.resolve("http://loopback.example.test:8123/hooks")
    assert named.address == "127.0.0.1"
    with pytest.raises(UnsafeDestination):
        await guard.resolve("https://10.0.0.1/hooks")  # only the listed hosts


def test_the_allow_list_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", " LocalHost, 127.0.0.1 ,[::1]")
    assert DestinationGuard.from_environment().allowed_hosts == {"localhost", "127.0.0.1", "::1"}
    monkeypatch.delenv("WEBHOOK_ALLOWED_HOSTS")
    assert DestinationGuard.from_environment().allowed_hosts == frozenset()
