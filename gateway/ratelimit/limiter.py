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
from typing import NamedTuple

from gateway.auth import Principal
from gateway.ratelimit.config import Quotas, RateLimitConfig
from gateway.ratelimit.errors import RateLimitStoreError
from gateway.ratelimit.gcra import BucketState, BucketStore, MemoryBuckets, Take
from gateway.telemetry.metrics import RATE_LIMIT_REFUSALS, RATE_LIMIT_STORE_ERRORS

logger = logging.getLogger("gateway.ratelimit")

REQUESTS = "requests"
COST = "cost"


# Callers whose limits are kept worked out; past this many, the table starts again.
CALLERS_KEPT = 10_000


@dataclass(frozen=True, slots=True)
class Bucket:
    """One bucket of a caller, named as the headers name it (`installation-cost`)."""

    name: str
    unit: str  # REQUESTS or COST
    key: str
    limit: int
    window_seconds: float


class CallerLimits:
    """A caller's buckets and what does not change between its requests: the takes of one
    request from each request bucket, the `RateLimit-Policy` header, the start of each
    `RateLimit` item and the fixed part of its `throttleStatus`. Worked out at its first
    request and kept (`RateLimiter.caller`)."""

    __slots__ = (
        "buckets",
        "cost_buckets",
        "counts_cost",
        "policy",
        "prefixes",
        "templates",
        "throttle",
    )

    def __init__(self, buckets: tuple[Bucket, ...]) -> None:
        self.buckets = buckets
        # Positions of the cost buckets, the ones given back to.
        self.cost_buckets = tuple(i for i, bucket in enumerate(buckets) if bucket.unit == COST)
        # Per bucket: its take of one request when it counts requests, else its take of
        # nothing, whose amount each request fills in (`takes`).
        self.templates = tuple(
            Take(
                bucket.key,
                bucket.limit,
                bucket.window_seconds,
                1 if bucket.unit == REQUESTS else 0,
                bucket.window_seconds / bucket.limit,
            )
            for bucket in buckets
        )
        self.counts_cost = tuple(bucket.unit == COST for bucket in buckets)
        self.policy = ", ".join(
            f'"{bucket.name}";q={bucket.limit};w={_number(bucket.window_seconds)}'
            + (';qu="cost"' if bucket.unit == COST else "")
            for bucket in buckets
        )
        self.prefixes = tuple(f'"{bucket.name}";r=' for bucket in buckets)
        # Shopify's names for the first cost bucket (the installation's, when it has one).
        self.throttle: tuple[int, int, float] | None = None
        if self.cost_buckets:
            index = self.cost_buckets[0]
            cost = buckets[index]
            self.throttle = (index, cost.limit, round(cost.limit / cost.window_seconds, 3))

    def takes(self, cost: int) -> tuple[Take, ...]:
        """What one request estimated at `cost` takes from each bucket."""
        takes = []
        for take, counts_cost in zip(self.templates, self.counts_cost, strict=True):
            if counts_cost:
                take = Take(take.key, take.limit, take.window_seconds, cost, take.interval)
            takes.append(take)
        return tuple(takes)


class Admission(NamedTuple):
    allowed: bool
    retry_after: float
    caller: CallerLimits | None
    takes: tuple[Take, ...]
    states: tuple[BucketState, ...]

    @property
    def limited(self) -> bool:
        return bool(self.takes)

    def headers(self) -> dict[str, str]:
        caller = self.caller
        if caller is None or not self.states:
            return {}
        current = ", ".join(
            [
                f"{prefix}{state.remaining};t={math.ceil(state.reset_seconds)}"
                for prefix, state in zip(caller.prefixes, self.states, strict=True)
            ]
        )
        headers = {"ratelimit-policy": caller.policy, "ratelimit": current}
        if not self.allowed:
            headers["retry-after"] = str(max(1, math.ceil(self.retry_after)))
        return headers

    def throttle_status(self) -> dict[str, float | int] | None:
        """The installation's cost bucket as Shopify reports it, if it has one."""
        throttle = self.caller.throttle if self.caller is not None else None
        if throttle is None or not self.states:
            return None
        index, maximum, restore_rate = throttle
        return {
            "maximumAvailable": maximum,
            "currentlyAvailable": self.states[index].remaining,
            "restoreRate": restore_rate,
        }


NOT_LIMITED = Admission(True, 0.0, None, (), ())


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
        self._callers: dict[tuple[str, str | None], CallerLimits] = {}

    def caller(self, principal: Principal) -> CallerLimits | None:
        """The caller's buckets, worked out at its first request; None: not limited."""
        app = principal.app_id
        if app is None:
            return None
        key = (app, principal.installation_id)
        found = self._callers.get(key)
        if found is None:
            if len(self._callers) >= CALLERS_KEPT:
                self._callers.clear()
            found = self._callers[key] = CallerLimits(self.buckets(principal))
        return found

    def buckets(self, principal: Principal) -> tuple[Bucket, ...]:
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
            *_buckets("installation", subject, installation_quotas),
            *_buckets("app", f"app:{app}", app_quotas),
        )

    async def admit(self, principal: Principal, cost: int) -> Admission:
        caller = self.caller(principal)
        if caller is None or not caller.buckets:
            return NOT_LIMITED
        takes = caller.takes(cost)
        try:
            verdict = await self.store.take(takes)
        except RateLimitStoreError as error:
            RATE_LIMIT_STORE_ERRORS.inc()
            logger.warning("rate-limit store unavailable, request let through: %s", error)
            return NOT_LIMITED
        if not verdict.allowed:
            for bucket, take, state in zip(caller.buckets, takes, verdict.states, strict=True):
                if state.remaining < take.amount:
                    RATE_LIMIT_REFUSALS.labels(bucket.name).inc()
        return Admission(verdict.allowed, verdict.retry_after, caller, takes, verdict.states)

    async def settle(self, admission: Admission, estimated: int, actual: int) -> Admission:
        """Give back the estimated cost the operation did not spend."""
        unspent = estimated - actual
        caller = admission.caller
        if unspent <= 0 or caller is None or not caller.cost_buckets or not admission.allowed:
            return admission
        refunds = caller.cost_buckets
        try:
            takes = admission.takes
            given = await self.store.give_back(
                [
                    Take(take.key, take.limit, take.window_seconds, unspent, take.interval)
                    for take in map(takes.__getitem__, refunds)
                ]
            )
        except RateLimitStoreError as error:
            RATE_LIMIT_STORE_ERRORS.inc()
            logger.warning("rate-limit store unavailable, unspent cost kept: %s", error)
            return admission
        states = list(admission.states)
        for index, state in zip(refunds, given, strict=True):
            states[index] = state
        return Admission(True, admission.retry_after, caller, admission.takes, tuple(states))

    async def close(self) -> None:
        await self.store.close()


def _buckets(scope: str, subject: str, quotas: Quotas) -> list[Bucket]:
    buckets = []
    for unit, quota in ((REQUESTS, quotas.requests), (COST, quotas.cost)):
        if quota is not None:
            key = f"{subject}:{unit}"
            buckets.append(Bucket(f"{scope}-{unit}", unit, key, quota.limit, quota.window_seconds))
    return buckets


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
