"""When a message may go: outside quiet hours (local time), and after a retry's backoff with jitter."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.clock import LOCAL_ZONE


@dataclass(frozen=True)
class QuietHours:
    """No message between `start` and `end` local time (wrapping midnight when start > end); equal: none."""

    start: time = time(21, 0)
    end: time = time(8, 0)
    zone: ZoneInfo = LOCAL_ZONE

    def contains(self, at: datetime) -> bool:
        now = at.astimezone(self.zone).time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def next_allowed(self, at: datetime) -> datetime:
        """`at` itself outside quiet hours; otherwise the moment they end (messages wait for the morning)."""
        if not self.contains(at):
            return at
        local = at.astimezone(self.zone)
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:  # after `start` in the evening: the quiet hours end tomorrow morning
            end += timedelta(days=1)
        # Asia/Shanghai keeps no daylight saving, so wall-clock arithmetic is exact.
        return end.astimezone(at.tzinfo)


def retry_delay(attempt: int, *, base: float, cap: float, rand: Callable[[], float] = random.random) -> float:
    """Seconds before try `attempt + 1`: base·2^(attempt-1) up to `cap`, with jitter in its upper half, so a
    provider's outage is not met by every message at the same moment and no retry comes too early."""
    nominal = min(cap, base * 2 ** max(attempt - 1, 0))
    return nominal * (0.5 + 0.5 * rand())


def next_local_midnight(at: datetime, zone: ZoneInfo = LOCAL_ZONE) -> datetime:
    local = at.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return midnight.astimezone(at.tzinfo)
