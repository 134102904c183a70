"""The rate-limit stage: per-app and per-installation buckets of requests and cost points
(docs/design/metering.md).

- `gcra`: the leaky-bucket arithmetic and the in-memory store;
- `redis_store`: the same in one atomic Lua script, shared by replicas;
- `limiter`: which buckets a caller spends from, the verdict, its headers;
- `config`: the `rate_limits:` section.
"""

from gateway.ratelimit.config import RateLimitConfig
from gateway.ratelimit.errors import RATE_LIMITED
from gateway.ratelimit.limiter import NOT_LIMITED, Admission, RateLimiter

__all__ = ["NOT_LIMITED", "RATE_LIMITED", "Admission", "RateLimitConfig", "RateLimiter"]
