"""The rate-limit stage's error: a request refused because a bucket is empty.

RateLimited    RATE_LIMITED, HTTP 429 with `Retry-After` (not a `ClientError`: it carries
               headers and a status, which the pipeline answers with)
"""

from __future__ import annotations

RATE_LIMITED = "RATE_LIMITED"


class RateLimitStoreError(Exception):
    """The bucket store could not answer (Redis down or slow): internal, never shown."""
