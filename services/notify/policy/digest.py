"""Several recommendation sets for one worker inside the digest window become one message: the newest offers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Pending:
    """The worker's message still waiting to go, if any."""

    next_attempt_at: datetime | None
    in_flight: bool  # being sent now, or a send whose outcome is unknown: it may already be on the phone


@dataclass(frozen=True)
class DigestPlan:
    supersede: bool  # the pending message gives way to the new one (it is suppressed, never sent)
    not_before: datetime  # the new message goes no earlier than this


def plan(*, pending: Pending | None, last_sent_at: datetime | None, now: datetime, window: timedelta) -> DigestPlan:
    """Where a new set's message goes.

    - a message still waiting (and not in flight) is superseded, and the new one takes its place in the queue;
    - one in flight, or one sent less than `window` ago, holds the new message until the window has passed since
      then (and any newer set meanwhile supersedes it): a worker gets at most one message a window, always the
      newest offers, and the first one without delay.
    """
    not_before = now
    supersede = False
    if pending is not None and not pending.in_flight:
        supersede = True
        not_before = max(now, pending.next_attempt_at or now)
    elif pending is not None:
        not_before = now + window
    if last_sent_at is not None and now - last_sent_at < window:
        not_before = max(not_before, last_sent_at + window)
    return DigestPlan(supersede=supersede, not_before=not_before)
