"""Waiting between passes: woken by the first event set, or by the time limit, and nothing left waiting after."""

from __future__ import annotations

import asyncio
import time

from shared.events.waiting import first_of


async def test_the_first_event_set_ends_the_wait_at_once():
    wake, stop = asyncio.Event(), asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, wake.set)
    started = time.monotonic()
    await first_of(wake, stop, timeout=5)
    assert time.monotonic() - started < 1 and not stop.is_set()


async def test_without_an_event_the_wait_ends_at_its_time_limit():
    started = time.monotonic()
    await first_of(asyncio.Event(), asyncio.Event(), timeout=0.1)
    assert 0.09 <= time.monotonic() - started < 1


async def test_a_wait_cancelled_or_ended_leaves_no_waiter_behind():
    before = len(asyncio.all_tasks())
    await first_of(asyncio.Event(), timeout=0.01)
    waiting = asyncio.create_task(first_of(asyncio.Event(), asyncio.Event(), timeout=60))
    await asyncio.sleep(0.01)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    await asyncio.sleep(0)  # let the cancelled waiters finish
    assert len(asyncio.all_tasks()) == before
