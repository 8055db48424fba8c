"""Per-number sending limits: so many SMS a natural day (local time), and a minimum gap between two."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notify.policy.schedule import next_local_midnight
from shared.clock import LOCAL_ZONE


@dataclass(frozen=True)
class SmsLimits:
    daily: int = 10
    min_interval: timedelta = timedelta(seconds=30)


def sms_not_before(sent_at: Sequence[datetime], *, now: datetime, limits: SmsLimits) -> datetime | None:
    """None when one more SMS may go to the number now; otherwise the earliest moment it may.

    `sent_at`: when earlier SMS to the worker were handed to a provider (a send counts as soon as it is submitted).
    """
    today = now.astimezone(LOCAL_ZONE).date()
    if sum(at.astimezone(LOCAL_ZONE).date() == today for at in sent_at) >= limits.daily:
        return next_local_midnight(now)
    if sent_at and now - max(sent_at) < limits.min_interval:
        return max(sent_at) + limits.min_interval
    return None
