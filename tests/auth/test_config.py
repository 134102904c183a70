"""The `auth:` section (`AuthConfig`): the verifier it builds carries each setting, and each
issuer's keys come from its `jwks_url` or from the issuer's well-known path."""

from __future__ import annotations

from gateway.auth import AuthConfig, IssuerConfig, JwksKeys


def test_no_issuer_builds_no_verifier() -> None:
    assert AuthConfig().verifier() is None
    assert AuthConfig().verifier(remember=5) is None


def test_the_verifier_carries_every_setting_of_the_section() -> None:
    config = AuthConfig(
        issuers=(
            IssuerConfig.of("https://one.test/"),
            IssuerConfig.of("https://two.test", "https://keys.test/two.json"),
        ),
        audience="api",
        algorithms=("RS256",),
        leeway_seconds=5,
        jwks_refetch_seconds=2.5,
    )
    verifier = config.verifier(remember=3)
    assert verifier is not None
    assert list(verifier.issuers) == ["https://one.test/", "https://two.test"]
    keys = [issuer.keys for issuer in verifier.issuers.values()]
    assert all(isinstance(source, JwksKeys) for source in keys)
    assert [(source.url, source.refetch_interval) for source in keys] == [  # type: ignore[attr-defined]
        ("https://one.test/.well-known/jwks.json", 2.5),
        ("https://keys.test/two.json", 2.5),
    ]
    assert (verifier.audience, verifier.algorithms, verifier.leeway_seconds) == (
        "api",
        frozenset({"RS256"}),
        5,
    )
    assert verifier.remember == 3


def test_a_verifier_remembers_no_token_unless_asked() -> None:
    verifier = AuthConfig(issuers=(IssuerConfig.of("https://one.test"),)).verifier()
    assert verifier is not None
    assert verifier.remember == 0
    # The section's defaults, not the verifier's own (30 s of leeway).
    assert (verifier.audience, verifier.leeway_seconds) == ("switchboard", 10)
    (issuer,) = verifier.issuers.values()
    assert issuer.keys.refetch_interval == 10.0  # type: ignore[attr-defined]


def test_an_issuer_given_by_name_has_no_keys_url_of_its_own() -> None:
    assert IssuerConfig.of("https://one.test") == IssuerConfig(issuer="https://one.test")
    assert IssuerConfig.of("https://one.test", "https://k.test") == IssuerConfig(
        issuer="https://one.test", jwks_url="https://k.test"
    )
