"""The SMS limits hold per phone number, also when several profiles share one phone (a family's only phone)."""

from __future__ import annotations

import asyncio

import pytest

from tests.service.notify_fixtures import fakes, notify, notify_changes, notify_contacts, offer  # noqa: F401

FAMILY_PHONE = "13394641177"


@pytest.mark.parametrize("notify_changes", [{"digest_minutes": 0}])
async def test_three_profiles_sharing_a_phone_get_one_sms_then_one_per_interval(notify):
    workers = [(await notify.register(phone=FAMILY_PHONE))[0] for _ in range(3)]
    for worker_id in workers:
        await notify.issue(worker_id)

    await notify.settle()

    assert len(notify.sent_to(FAMILY_PHONE)) == 1
    held = [m for w in workers for m in await notify.messages(worker_id=w) if m["status"] == "queued"]
    assert len(held) == 2 and all("这个手机号刚收到短信" in m["reason"] for m in held)
    await notify.later(seconds=31)
    assert len(notify.sent_to(FAMILY_PHONE)) == 2
    await notify.later(seconds=31)
    assert len(notify.sent_to(FAMILY_PHONE)) == 3


@pytest.mark.parametrize("notify_changes", [{"sms_daily_limit": 2, "digest_minutes": 0}])
async def test_the_daily_limit_counts_every_profile_of_the_phone(notify):
    first, second = (await notify.register(phone=FAMILY_PHONE))[0], (await notify.register(phone=FAMILY_PHONE))[0]
    await notify.issue(first)
    await notify.settle()
    await notify.later(minutes=5)
    await notify.issue(second)
    await notify.settle()
    await notify.later(minutes=5)

    await notify.issue(first, version=2, items=[offer("司机")])
    await notify.settle()

    assert len(notify.sent_to(FAMILY_PHONE)) == 2
    held = [m for m in await notify.messages(worker_id=first) if m["status"] == "queued"]
    assert len(held) == 1 and "今天的短信已达上限" in held[0]["reason"]


@pytest.mark.parametrize("notify_changes", [{"digest_minutes": 0}])
async def test_profiles_with_their_own_phones_are_not_held(notify):
    workers = [(await notify.register())[0] for _ in range(3)]
    for worker_id in workers:
        await notify.issue(worker_id)

    await notify.settle()

    messages = [m for w in workers for m in await notify.messages(worker_id=w)]
    assert len(messages) == 3 and all(m["status"] != "queued" for m in messages)


@pytest.mark.parametrize("notify_changes", [{"digest_minutes": 0}])
async def test_profiles_sharing_a_phone_claimed_in_one_pass_get_one_sms(notify):
    """Their passes run side by side and look the number up together: the first to go holds it for the others."""
    await notify.app.state.runtime.stop_relays()  # no dispatcher while the sets come in: one pass claims them all
    workers = [(await notify.register(phone=FAMILY_PHONE))[0] for _ in range(3)]
    for worker_id in workers:
        await notify.issue(worker_id)
    stop = asyncio.Event()
    dispatching = asyncio.create_task(notify.unit.state["dispatcher"].run(stop))
    try:
        await notify.settle()
    finally:
        stop.set()
        await dispatching

    assert len(notify.sent_to(FAMILY_PHONE)) == 1
    held = [m for w in workers for m in await notify.messages(worker_id=w) if m["status"] == "queued"]
    assert len(held) == 2 and all("这个手机号刚收到短信" in m["reason"] for m in held)
