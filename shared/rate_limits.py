"""Per-principal limits on the routes that cost the most (batch runs, imports, exports, recommendations): 429 with
Retry-After past them.

Counted in the process, in a sliding window per principal and group: enough in the embedded mode and, in a
deployment, per replica (the limit a principal sees is then at most the replicas times the figure set).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from fastapi import Depends, Request

from shared.auth import Principal, current_principal
from shared.errors import TooManyRequests

# group -> (requests, per seconds): a clerk never needs more; a script looping over a route soon does.
_WORDS = {"runs": "批量推荐", "imports": "上传", "exports": "导出", "recommendations": "推荐查询"}


def parse_limits(text: str) -> dict[str, tuple[int, float]]:
    """ "runs=6/60,imports=20/60" -> {"runs": (6, 60.0), "imports": (20, 60.0)}; an empty text sets no limit."""
    limits = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        group, _, rate = part.partition("=")
        count, _, seconds = rate.partition("/")
        if not (group.strip() and count.strip().isdigit() and float(seconds) > 0):
            raise ValueError(f"a rate limit reads like runs=6/60, not {part!r}")
        limits[group.strip()] = (int(count), float(seconds))
    return limits


class RateLimiter:
    """Sliding-window counts per (principal, group)."""

    def __init__(self, limits: dict[str, tuple[int, float]], *, now: Callable[[], float] = time.monotonic) -> None:
        self.limits, self.now = limits, now
        self._seen: dict[tuple[str, str], deque[float]] = {}

    def take(self, group: str, who: str) -> float:
        """Count one request; 0 when it may pass, else the seconds until one may."""
        if group not in self.limits:
            return 0.0
        count, window = self.limits[group]
        now = self.now()
        seen = self._seen.setdefault((who, group), deque())
        while seen and seen[0] <= now - window:
            seen.popleft()
        if len(seen) >= count:
            return seen[0] + window - now
        seen.append(now)
        if len(self._seen) > 10_000:  # forget the principals that went quiet
            self._seen = {key: times for key, times in self._seen.items() if times and times[-1] > now - window}
        return 0.0


def rate_limited(group: str) -> dict:
    """Arguments of a route decorator (`@router.post(..., **rate_limited("runs"))`): a dependency that answers 429
    with Retry-After when the caller is over the group's limit, and the mark that documents it (shared.openapi)."""

    async def check(request: Request, by: Principal = Depends(current_principal)) -> None:
        limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
        if limiter is None:
            return
        wait = limiter.take(group, f"{by.role.value}:{by.sub}")
        if wait > 0:
            seconds = math.ceil(wait)
            raise TooManyRequests(f"too many {group} requests; try again in {seconds} s", retry_after=seconds,
                                  zh=f"{_WORDS.get(group, '操作')}太频繁，请 {seconds} 秒后再试")

    return {"dependencies": [Depends(check)], "openapi_extra": {"x-rate-limit": group}}
