"""Waiting between passes: until one of several events is set, or a time limit passes; and how long to wait before
trying again after a failure.

The loops that run a pass whenever they are woken (the outbox relay, notify's dispatcher, the wake-up listener) wait
here, so that each waits the same way and none leaves a waiter behind.
"""

from __future__ import annotations

import asyncio
import random


async def first_of(*events: asyncio.Event, timeout: float) -> None:
    """Return when one of the events is set, or after `timeout` seconds; no waiter is left behind, also when the
    caller is cancelled while it waits."""
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waits:
            waiter.cancel()


def backoff(attempts: int, *, base: float = 0.5, cap: float = 60.0) -> float:
    """Seconds before the next try: exponential with full jitter, so a broker outage is not hammered."""
    return random.uniform(0, min(cap, base * 2 ** attempts))
