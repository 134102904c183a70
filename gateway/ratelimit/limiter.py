"""`RateLimiter`: which buckets a caller spends from, the verdict, and how it is told.

A request from an app spends one request and its estimated cost from its installation's
buckets (an app-level token counts as one installation of its app) and from its app's, all at
once or not at all. After the operation ran, the estimated cost it did not spend is given back,
as Shopify does, so a caller pays for what its operation really cost. Calls without an app
(anonymous, people's tokens) are not limited here.

The caller learns where it stands from every answer: the IETF `RateLimit-Policy` and
`RateLimit` headers (draft-ietf-httpapi-ratelimit-headers) for each bucket, and, for its
installation's cost bucket, `extensions.cost.throttleStatus` (Shopify's names). A refused
request also gets `Retry-After`.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from gateway.auth import Principal
from gateway.ratelimit.config import Quotas, RateLimitConfig
from gateway.ratelimit.errors import RateLimitStoreError
from gateway.ratelimit.gcra import BucketState, BucketStore, MemoryBuckets, Take
from gateway.telemetry.metrics import RATE_LIMIT_REFUSALS, RATE_LIMIT_STORE_ERRORS

logger = logging.getLogger("gateway.ratelimit")

REQUESTS = "requests"
COST = "cost"


@dataclass(frozen=True, slots=True)
class Bucket:
    """One bucket of a request, named as the headers name it (`installation-cost`)."""

    name: str
    unit: str  # REQUESTS or COST
    take: Take


@dataclass(frozen=True, slots=True)
class Admission:
    allowed: bool
    retry_after: float
    buckets: tuple[Bucket, ...]
    states: tuple[BucketState, ...]

    @property
    def limited(self) -> bool:
        return bool(self.buckets)

    def headers(self) -> dict[str, str]:
        if not self.states:
            return {}
        policies = []
        current = []
        for bucket, state in zip(self.buckets, self.states, strict=True):
            quota = bucket.take
            unit = ';qu="cost"' if bucket.unit == COST else ""
            window = _number(quota.window_seconds)
            policies.append(f'"{bucket.name}";q={quota.limit};w={window}{unit}')
            reset = math.ceil(state.reset_seconds)
            current.append(f'"{bucket.name}";r={state.remaining};t={reset}')
        headers = {"ratelimit-policy": ", ".join(policies), "ratelimit": ", ".join(current)}
        if not self.allowed:
            headers["retry-after"] = str(max(1, math.ceil(self.retry_after)))
        return headers

    def throttle_status(self) -> dict[str, float | int] | None:
        """The installation's cost bucket as Shopify reports it, if it has one."""
        for bucket, state in zip(self.buckets, self.states, strict=True):
            if bucket.unit == COST:
                take = bucket.take
                return {
                    "maximumAvailable": take.limit,
                    "currentlyAvailable": state.remaining,
                    "restoreRate": round(take.limit / take.window_seconds, 3),
                }
        return None


NOT_LIMITED = Admission(True, 0.0, (), ())


class RateLimiter:
    def __init__(self, config: RateLimitConfig, store: BucketStore | None = None) -> None:
        self.config = config
        if store is None:
            if config.redis_url is not None:
                from gateway.ratelimit.redis_store import RedisBuckets

                store = RedisBuckets.from_url(
                    config.redis_url, config.key_prefix, config.timeout_ms / 1000
                )
            else:
                store = MemoryBuckets()
        self.store = store

    def buckets(self, principal: Principal, cost: int) -> tuple[Bucket, ...]:
        app = principal.app_id
        if app is None:
            return ()
        override = self.config.apps.get(app)
        installation_quotas = self.config.installation
        app_quotas = self.config.app
        if override is not None:
            installation_quotas = override.installation or installation_quotas
            app_quotas = override.app or app_quotas
        subject = (
            f"installation:{principal.installation_id}"
            if principal.installation_id
            else f"app-token:{app}"
        )
        return (
            *_buckets("installation", subject, installation_quotas, cost),
            *_buckets("app", f"app:{app}", app_quotas, cost),
        )

    async def admit(self, principal: Principal, cost: int) -> Admission:
        buckets = self.buckets(principal, cost)
        if not buckets:
            return NOT_LIMITED
        try:
            verdict = await self.store.take([bucket.take for bucket in buckets])
        except RateLimitStoreError as error:
            RATE_LIMIT_STORE_ERRORS.inc()
            logger.warning("rate-limit store unavailable, request let through: %s", error)
            return NOT_LIMITED
        if not verdict.allowed:
            for bucket, state in zip(buckets, verdict.states, strict=True):
                if state.remaining < bucket.take.amount:
                    RATE_LIMIT_REFUSALS.labels(bucket.name).inc()
        return Admission(verdict.allowed, verdict.retry_after, buckets, verdict.states)

    async def settle(self, admission: Admission, estimated: int, actual: int) -> Admission:
        """Give back the estimated cost the operation did not spend."""
        unspent = estimated - actual
        refunds = [
            (index, bucket) for index, bucket in enumerate(admission.buckets) if bucket.unit == COST
        ]
        if unspent <= 0 or not refunds or not admission.allowed:
            return admission
        try:
            given = await self.store.give_back(
                [
                    Take(take.key, take.limit, take.window_seconds, unspent)
                    for take in (bucket.take for _, bucket in refunds)
                ]
            )
        except RateLimitStoreError as error:
            RATE_LIMIT_STORE_ERRORS.inc()
            logger.warning("rate-limit store unavailable, unspent cost kept: %s", error)
            return admission
        states = list(admission.states)
        for (index, _), state in zip(refunds, given, strict=True):
            states[index] = state
        return Admission(admission.allowed, admission.retry_after, admission.buckets, tuple(states))

    async def close(self) -> None:
        await self.store.close()


def _buckets(scope: str, subject: str, quotas: Quotas, cost: int) -> list[Bucket]:
    buckets = []
    for unit, quota, amount in ((REQUESTS, quotas.requests, 1), (COST, quotas.cost, cost)):
        if quota is not None:
            take = Take(f"{subject}:{unit}", quota.limit, quota.window_seconds, amount)
            buckets.append(Bucket(f"{scope}-{unit}", unit, take))
    return buckets


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
