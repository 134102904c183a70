"""The `rate_limits:` section of `switchboard.yaml`."""

from __future__ import annotations

from pydantic import Field, PositiveFloat, PositiveInt, field_validator

from gateway.config import Section


class Quota(Section):
    """A bucket: `limit` units at once, refilled evenly over `window_seconds`."""

    limit: PositiveInt
    """Units the bucket holds when full: the burst allowed at once."""
    window_seconds: PositiveFloat
    """Time the bucket takes to refill from empty (`limit / window_seconds` units a second)."""


class Quotas(Section):
    """The limits on one caller: its requests and the cost points its operations spend."""

    requests: Quota | None = None
    """Requests; unset: not limited by count."""
    cost: Quota | None = None
    """Cost points (estimated cost charged before the operation runs, the unspent part
    returned after); unset: not limited by cost."""


def _installation_default() -> Quotas:
    # Shopify's GraphQL Admin API bucket: 1,000 points, restored at 50 a second.
    return Quotas(
        requests=Quota(limit=600, window_seconds=60),
        cost=Quota(limit=1000, window_seconds=20),
    )


def _app_default() -> Quotas:
    return Quotas(requests=Quota(limit=6000, window_seconds=60))


class AppLimits(Section):
    """One app's limits, instead of the defaults."""

    installation: Quotas | None = None
    """Per installation of this app (and per app-level token of it)."""
    app: Quotas | None = None
    """For all of this app's calls together."""


class RateLimitConfig(Section):
    """Rate limits per app and per installation, by requests and by cost (GCRA buckets). Calls
    without an app (anonymous, people's tokens) are not limited here."""

    enabled: bool = False
    """Apply the limits below; every answered operation then carries the `RateLimit` headers."""
    redis_url: str | None = None
    """Redis holding the buckets, shared by every replica (`redis://host:6379/0`). Unset: each
    gateway process keeps its own buckets in memory."""
    key_prefix: str = "switchboard:ratelimit"
    """Prefix of the Redis keys."""
    installation: Quotas = Field(default_factory=_installation_default)
    """Per installation (an app-level token counts as one installation of its app)."""
    app: Quotas = Field(default_factory=_app_default)
    """Per app, all its installations together."""
    apps: dict[str, AppLimits] = Field(default_factory=dict)
    """Per-app overrides, by app id."""

    timeout_ms: PositiveInt = 200
    """Time allowed for one Redis call. A Redis that does not answer lets requests through
    unlimited (counted in `switchboard_rate_limit_store_errors`) rather than refuse them all."""

    @field_validator("redis_url")
    @classmethod
    def _empty_means_unset(cls, value: str | None) -> str | None:
        # `${env.REDIS_URL:-}` with the variable unset.
        return value or None
