"""The limiter keeps each caller's buckets and headers between its requests: what it keeps must
be that caller's and no other's, and keeping it must not change what a request is told."""

from __future__ import annotations

import pytest

from gateway.auth import Principal
from gateway.ratelimit import RateLimitConfig, RateLimiter
from gateway.ratelimit import limiter as limiter_module
from gateway.ratelimit.config import AppLimits, Quota, Quotas

SMALL = Quotas(requests=Quota(limit=3, window_seconds=60), cost=Quota(limit=100, window_seconds=60))


def config() -> RateLimitConfig:
    return RateLimitConfig(
        enabled=True,
        installation=SMALL,
        app=Quotas(requests=Quota(limit=1000, window_seconds=60)),
        apps={
            "app_big": AppLimits(installation=Quotas(requests=Quota(limit=50, window_seconds=10)))
        },
    )


async def test_each_caller_spends_from_its_own_buckets_and_is_told_its_own_policy() -> None:
    limiter = RateLimiter(config())
    first = Principal(app_id="app_1", installation_id="inst_1")
    second = Principal(app_id="app_1", installation_id="inst_2")
    big = Principal(app_id="app_big", installation_id="inst_1")
    told = [(await limiter.admit(first, 10)).headers()["ratelimit"] for _ in range(2)]
    assert told == [
        '"installation-requests";r=2;t=20, "installation-cost";r=90;t=6, "app-requests";r=999;t=1',
        '"installation-requests";r=1;t=40, "installation-cost";r=80;t=12, "app-requests";r=998;t=1',
    ]
    other = (await limiter.admit(second, 5)).headers()
    assert other["ratelimit"] == (
        '"installation-requests";r=2;t=20, "installation-cost";r=95;t=3, "app-requests";r=997;t=1'
    )
    assert other["ratelimit-policy"] == (
        '"installation-requests";q=3;w=60, "installation-cost";q=100;w=60;qu="cost", '
        '"app-requests";q=1000;w=60'
    )
    overridden = await limiter.admit(big, 5)
    assert overridden.headers()["ratelimit-policy"] == (
        '"installation-requests";q=50;w=10, "app-requests";q=1000;w=60'
    )
    assert overridden.throttle_status() is None
    assert (await limiter.admit(Principal(), 5)).headers() == {}


async def test_callers_forgotten_past_the_bound_are_worked_out_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limiter_module, "CALLERS_KEPT", 2)
    limiter = RateLimiter(config())
    callers = [Principal(app_id="app_1", installation_id=f"inst_{n}") for n in range(3)]
    for caller in callers:
        await limiter.admit(caller, 1)
    # The table started again at the third caller; the first's bucket is still in the store.
    admission = await limiter.admit(callers[0], 1)
    assert admission.headers()["ratelimit"].startswith('"installation-requests";r=1;')
    assert admission.throttle_status() == {
        "maximumAvailable": 100,
        "currentlyAvailable": 98,
        "restoreRate": round(100 / 60, 3),
    }
