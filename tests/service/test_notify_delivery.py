"""Notify in-process on SQLite with the workers app and the fake providers: from an issued set to the phone, once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import MetaData, select

from services.notify.contacts import Contact
from services.notify.messages.service import idempotency_key
from tests.service.notify_fixtures import (  # noqa: F401 - fakes, notify, notify_*: fixtures
    CONTACT,
    StaticContacts,
    fakes,
    issued,
    notify,
    notify_changes,
    notify_contacts,
    offer,
)

OPENID, OTHER_OPENID = "oia2TjuEGTNoeX76QEjQNrcURxG8", "oia2TjuEGTNoeX76QEjQNrcURxG9"


def local(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


async def attempt_log(notify, message_id: str) -> list[tuple[str, str, str]]:
    response = await notify.client.get(f"/notify/messages/{message_id}", headers=notify.auth())
    return [(a["provider"], a["outcome"], a["code"]) for a in response.json()["attempt_log"]]


async def test_an_issued_set_becomes_one_sms_with_the_composed_text(notify):
    worker_id, phone = await notify.register()
    event = await notify.issue(worker_id, run_id="run-1")
    await notify.settle()

    [sent] = notify.sent_to(phone)
    message = await notify.message(worker_id)
    assert sent.text == message["text"]
    assert message["text"].startswith("【兴安就业】为您推荐：1.保洁员") and message["text"].endswith("回T退订")
    assert CONTACT in message["text"]  # whom to call: the station of the worker's county
    assert (message["channel"], message["status"], message["attempts"], message["provider"], message["run_id"]) == (
        "sms", "sent", 1, "aliyun", "run-1")
    assert sent.key == idempotency_key(worker_id, event.data["set_id"])  # Aliyun's OutId


async def test_the_notify_database_holds_no_phone_number_or_openid(notify):
    worker_id, phone = await notify.register(openid=OPENID, wechat=True)
    notify.wechat.unsubscribed.add(OPENID)  # WeChat fails, SMS goes: both numbers pass through notify
    await notify.issue(worker_id)
    await notify.settle()
    assert len(notify.sent_to(phone)) == 1
    tables = MetaData()
    async with notify.unit.database.engine.connect() as connection:
        await connection.run_sync(tables.reflect)
        rows = [str(row) for table in tables.sorted_tables for row in await connection.execute(select(table))]
    assert rows and not [row for row in rows if phone in row or OPENID in row or phone[-8:] in row]


async def test_a_redelivered_or_replayed_set_is_sent_once(notify):
    worker_id, phone = await notify.register()
    event = await notify.issue(worker_id)
    await notify.settle()
    await notify.publish(event)  # the broker delivers the same event again
    await notify.publish(issued(worker_id, set_id=event.data["set_id"], clock=notify.clock))  # same set, new event
    await notify.settle()
    assert len(notify.sent_to(phone)) == 1
    assert len(await notify.messages(worker_id=worker_id)) == 1


async def test_wechat_goes_first_and_sms_when_the_worker_does_not_follow_the_account(notify):
    follower, _ = await notify.register(openid=OPENID, wechat=True)
    gone, phone = await notify.register(openid=OTHER_OPENID, wechat=True)
    notify.wechat.unsubscribed.add(OTHER_OPENID)  # 43004 require subscribe
    await notify.issue(follower)
    await notify.issue(gone)
    await notify.settle()

    [wechat] = notify.sent_to(OPENID)
    first = await notify.message(follower)
    assert (first["channel"], first["provider"], first["status"]) == ("wechat", "wechat", "sent")
    assert wechat.key == idempotency_key(follower, first["set_id"])  # client_msg_id
    assert wechat.text == f"https://jobs.example/offers/{first['set_id']}"
    assert all(len(line["value"]) <= 20 for line in wechat.params.values())
    assert first["text"].splitlines()[0] == wechat.params["keyword1"]["value"]

    second = await notify.message(gone)
    assert (second["channel"], second["status"], second["attempts"]) == ("sms", "sent", 2)
    assert notify.sent_to(OTHER_OPENID) == [] and len(notify.sent_to(phone)) == 1
    assert await attempt_log(notify, second["id"]) == [("wechat", "permanent_user", "43004"), ("aliyun", "sent", "OK")]


async def test_a_blocked_wechat_message_goes_by_sms_and_wechat_is_left_for_good(notify):
    worker_id, phone = await notify.register(openid=OPENID, wechat=True)
    notify.wechat.blocked.add(OPENID)  # accepted, then the result event says "failed:user block"
    await notify.issue(worker_id)
    await notify.settle()
    assert len(notify.sent_to(OPENID)) == 1 and notify.sent_to(phone) == []

    answers = await notify.wechat.push_receipts(notify.callback("receipts/wechat"), client=notify.client)
    assert [notify.wechat.receipt_acknowledged(a) for a in answers] == [True]
    await notify.settle()
    message = await notify.message(worker_id)
    assert (message["channel"], message["status"]) == ("sms", "sent") and len(notify.sent_to(phone)) == 1

    await notify.later(minutes=31)
    await notify.issue(worker_id, version=2)
    await notify.settle()
    assert len(notify.sent_to(OPENID)) == 1 and len(notify.sent_to(phone)) == 2  # never WeChat again


async def test_a_worker_who_refused_the_accounts_messages_is_left_on_wechat_for_good_one_not_following_is_not(
        notify):
    refused, refused_phone = await notify.register(openid=OPENID, wechat=True)
    gone, gone_phone = await notify.register(openid=OTHER_OPENID, wechat=True)
    notify.wechat.refused.add(OPENID)  # 43101: the worker turned the account's messages away
    notify.wechat.unsubscribed.add(OTHER_OPENID)  # 43004: not following (yet)
    for worker_id in (refused, gone):
        await notify.issue(worker_id)
    await notify.settle()
    first = {worker_id: await notify.message(worker_id) for worker_id in (refused, gone)}
    assert await attempt_log(notify, first[refused]["id"]) == [("wechat", "permanent_user", "43101"),
                                                               ("aliyun", "sent", "OK")]
    assert await attempt_log(notify, first[gone]["id"]) == [("wechat", "permanent_user", "43004"),
                                                            ("aliyun", "sent", "OK")]

    await notify.later(minutes=31)
    for worker_id in (refused, gone):
        await notify.issue(worker_id, version=2)
    await notify.settle()
    second = {worker_id: [m for m in await notify.messages(worker_id=worker_id) if m["id"] != first[worker_id]["id"]]
              for worker_id in (refused, gone)}
    assert [len(second[refused]), len(second[gone])] == [1, 1]
    assert await attempt_log(notify, second[refused][0]["id"]) == [("aliyun", "sent", "OK")]  # never WeChat again
    assert await attempt_log(notify, second[gone][0]["id"]) == [("wechat", "permanent_user", "43004"),
                                                             ("aliyun", "sent", "OK")]  # WeChat is tried again
    assert len(notify.sent_to(refused_phone)) == len(notify.sent_to(gone_phone)) == 2


async def test_at_night_messages_wait_for_the_morning(notify):
    notify.clock.advance(hours=12)  # 22:00 in Xing'an League
    worker_id, phone = await notify.register()
    await notify.issue(worker_id)
    await notify.settle()
    message = await notify.message(worker_id)
    assert message["status"] == "queued" and "免打扰" in message["reason"]
    assert local(message["next_attempt_at"]) == datetime(2026, 11, 29, 0, 0, tzinfo=timezone.utc)  # 08:00 local
    await notify.later(hours=9, minutes=59)
    assert notify.sent_to(phone) == []
    await notify.later(minutes=1)
    assert len(notify.sent_to(phone)) == 1 and (await notify.message(worker_id))["status"] == "sent"


async def test_sets_inside_the_digest_window_become_one_message_with_the_newest_offers(notify):
    worker_id, phone = await notify.register()
    await notify.issue(worker_id)
    await notify.settle()
    sent_at = local((await notify.message(worker_id))["sent_at"])

    await notify.later(minutes=5)
    await notify.issue(worker_id, version=2, items=[offer("司机"), offer("厨师")])
    await notify.settle()
    await notify.later(minutes=5)
    await notify.issue(worker_id, version=3, items=[offer("电工"), offer("瓦工"), offer("木工")])
    await notify.settle()
    rows = {m["set_id"]: m for m in await notify.messages(worker_id=worker_id)}
    held = [m for m in rows.values() if m["status"] == "queued"]
    assert [m["status"] for m in rows.values()].count("suppressed") == 1
    assert len(held) == 1 and "电工" in held[0]["text"] and "合并" in held[0]["reason"]
    # Held until the digest window has passed since the first message went.
    assert (local(held[0]["next_attempt_at"]) - sent_at).total_seconds() == 30 * 60

    await notify.later(minutes=19)
    assert len(notify.sent_to(phone)) == 1
    await notify.later(minutes=2)
    texts = [m.text for m in notify.sent_to(phone)]
    assert len(texts) == 2 and "电工" in texts[1] and "司机" not in texts[1]


async def test_sets_queued_for_the_morning_are_folded_into_one(notify):
    notify.clock.advance(hours=12)
    worker_id, phone = await notify.register()
    first = await notify.issue(worker_id)
    newer = await notify.issue(worker_id, version=2, items=[offer("司机")])
    older_replayed = await notify.issue(worker_id, version=1, set_id="an-older-set-arriving-late")
    await notify.settle()
    await notify.later(hours=10)
    rows = {m["set_id"]: m for m in await notify.messages(worker_id=worker_id)}
    assert rows[first.data["set_id"]]["status"] == "suppressed"
    assert rows[older_replayed.data["set_id"]]["status"] == "suppressed"
    assert rows[newer.data["set_id"]]["status"] == "sent"
    [sent] = notify.sent_to(phone)
    assert "司机" in sent.text


async def test_sets_handed_over_together_become_the_messages_they_would_one_after_the_other(notify):
    """The bus hands the consumer several sets at once, written in one transaction (`accept_sets`)."""
    notify.clock.advance(hours=12)
    worker_id, phone = await notify.register()
    other_id, other_phone = await notify.register()
    first = issued(worker_id, clock=notify.clock)
    newer = issued(worker_id, version=2, items=[offer("司机")], clock=notify.clock)
    older_replayed = issued(worker_id, version=1, set_id="an-older-set-arriving-late", clock=notify.clock)
    newer_again = newer.model_copy(update={"id": uuid.uuid4()})  # the same set under a new event id
    other = issued(other_id, clock=notify.clock)
    [consumer] = notify.unit.consumers
    await consumer.handle_batch([first, newer, older_replayed, newer, newer_again, other])
    await notify.settle()
    await notify.later(hours=10)
    rows = {m["set_id"]: m for m in await notify.messages(worker_id=worker_id)}
    assert len(rows) == 3
    assert rows[first.data["set_id"]]["status"] == "suppressed"
    assert rows[older_replayed.data["set_id"]]["status"] == "suppressed"
    assert rows[newer.data["set_id"]]["status"] == "sent"
    [sent] = notify.sent_to(phone)
    assert "司机" in sent.text
    assert len(notify.sent_to(other_phone)) == 1


@pytest.mark.parametrize("notify_changes", [{"aliyun_batch": 1}])  # each SMS a request of its own
async def test_one_failed_send_in_a_batch_neither_loses_nor_doubles_the_others(notify):
    """Sets handed over together, one without offers, are sent together; the one send the vendor fails waits for its
    retry, and every worker gets exactly one SMS (tests/service/test_notify_batches.py: one request for several)."""
    workers = [await notify.register() for _ in range(6)]
    empty, empty_phone = await notify.register()
    notify.aliyun.fail_next(code="isp.SYSTEM_ERROR")  # whichever send comes first
    [consumer] = notify.unit.consumers
    await consumer.handle_batch([issued(worker_id, clock=notify.clock) for worker_id, _ in workers]
                                + [issued(empty, items=[], clock=notify.clock)])
    await notify.settle()
    messages = [await notify.message(worker_id) for worker_id, _ in workers]
    assert sorted((m["status"], m["attempts"]) for m in messages) == [("queued", 1)] + [("sent", 1)] * 5
    assert (await notify.message(empty))["status"] == "not_sent" and notify.sent_to(empty_phone) == []
    await notify.later(seconds=30)
    assert [len(notify.sent_to(phone)) for _, phone in workers] == [1] * 6
    assert {(await notify.message(worker_id))["status"] for worker_id, _ in workers} == {"sent"}


@pytest.mark.parametrize("notify_changes", [{"sms_daily_limit": 1, "digest_minutes": 0}])
async def test_the_daily_limit_per_number_holds_the_next_sms_until_tomorrow_morning(notify):
    worker_id, phone = await notify.register()
    await notify.issue(worker_id)
    await notify.settle()
    await notify.later(minutes=5)
    await notify.issue(worker_id, version=2, items=[offer("司机")])
    await notify.settle()
    held = [m for m in await notify.messages(worker_id=worker_id) if m["status"] == "queued"][0]
    assert "每日短信上限" in held["reason"]
    assert local(held["next_attempt_at"]) == datetime(2026, 11, 29, 0, 0, tzinfo=timezone.utc)  # 08:00, not 00:00
    await notify.later(hours=22)
    assert len(notify.sent_to(phone)) == 2


@pytest.mark.parametrize("notify_changes", [{"digest_minutes": 0}])
async def test_two_sms_to_one_number_keep_the_minimum_interval(notify):
    worker_id, phone = await notify.register()
    await notify.issue(worker_id)
    await notify.settle()
    await notify.later(seconds=10)
    await notify.issue(worker_id, version=2, items=[offer("司机")])
    await notify.settle()
    assert len(notify.sent_to(phone)) == 1
    await notify.later(seconds=20)
    assert len(notify.sent_to(phone)) == 2


async def test_a_worker_who_agreed_to_nothing_is_recorded_as_not_sent(notify):
    worker_id, phone = await notify.register(sms=False, wechat=False)
    await notify.issue(worker_id)
    await notify.settle()
    message = await notify.message(worker_id)
    assert (message["status"], message["reason"], message["attempts"]) == ("not_sent", "未同意接收短信或微信", 0)
    assert notify.sent_to(phone) == []
    [event] = notify.events_of("notify.message.failed")
    assert (event.data["status"], event.data["reason"]) == ("not_sent", "未同意接收短信或微信")


async def test_a_set_without_offers_and_a_worker_placed_meanwhile_get_no_message(notify):
    empty, _ = await notify.register()
    await notify.issue(empty, items=[])
    placed, phone = await notify.register()
    staff = notify.auth("station_staff", region="152222")
    notify.workers.openings.post("p-1", region_code="110105")
    response = await notify.workers.client.post(f"/workers/profiles/{placed}/placements", headers=staff, json={
        "posting_id": "p-1", "start_date": "2026-12-01", "monthly_wage": 5000, "contract_months": 12,
        "work_region_code": "110105"})
    assert response.status_code == 201, response.text
    await notify.issue(placed)
    await notify.settle()
    assert (await notify.message(empty))["status"] == "not_sent"
    assert (await notify.message(placed))["reason"] == "已就业，不再推送岗位" and notify.sent_to(phone) == []


async def test_a_transient_failure_is_retried_after_a_backoff(notify):
    worker_id, phone = await notify.register()
    notify.aliyun.fail_next(code="isp.SYSTEM_ERROR")
    await notify.issue(worker_id)
    await notify.settle()
    message = await notify.message(worker_id)
    assert (message["status"], message["attempts"], message["last_error"]) == ("queued", 1, "aliyun isp.SYSTEM_ERROR")
    wait = (local(message["next_attempt_at"]) - notify.clock.now()).total_seconds()
    assert 15 <= wait <= 30  # the first retry: base 30 s, jitter in its upper half
    await notify.later(seconds=30)
    assert len(notify.sent_to(phone)) == 1 and (await notify.message(worker_id))["attempts"] == 2


async def test_a_lost_answer_from_aliyun_is_checked_before_sending_again(notify):
    worker_id, phone = await notify.register()
    notify.aliyun.fail_next(timeout=True, accept=True)  # Aliyun took it; the answer never came
    await notify.issue(worker_id)
    await notify.settle()
    assert (await notify.message(worker_id))["status"] == "queued"
    await notify.later(seconds=30)
    message = await notify.message(worker_id)
    assert message["status"] == "sent" and len(notify.sent_to(phone)) == 1
    assert [outcome for _, outcome, _ in await attempt_log(notify, message["id"])] == ["transient", "found_sent"]
    answers = await notify.aliyun.push_receipts(notify.callback("receipts/aliyun"), client=notify.client)
    assert notify.aliyun.receipt_acknowledged(answers[0])
    assert (await notify.message(worker_id))["status"] == "delivered"  # matched by our OutId


async def test_a_lost_request_aliyun_never_took_is_sent_after_checking(notify):
    worker_id, phone = await notify.register()
    notify.aliyun.fail_next(timeout=True)
    await notify.issue(worker_id)
    await notify.settle()
    await notify.later(seconds=30)
    message = await notify.message(worker_id)
    assert message["status"] == "sent" and len(notify.sent_to(phone)) == 1
    assert [o for _, o, _ in await attempt_log(notify, message["id"])] == ["transient", "not_found", "sent"]


TENCENT_ONLY = {"sms_providers": "tencent"}


@pytest.mark.parametrize("notify_changes", [TENCENT_ONLY])
async def test_a_lost_answer_from_tencent_is_found_by_its_pull_and_not_sent_again(notify):
    worker_id, phone = await notify.register()
    notify.tencent.fail_next(timeout=True, accept=True)  # Tencent took it; the answer never came
    await notify.issue(worker_id)
    await notify.settle()
    assert (await notify.message(worker_id))["status"] == "queued"
    # The phone got it and the carrier reported: the receipt names a SerialNo notify never learnt, so it is kept.
    answers = await notify.tencent.push_receipts(notify.callback("receipts/tencent"), client=notify.client)
    assert notify.tencent.receipt_acknowledged(answers[0])
    await notify.later(seconds=30)
    message = await notify.message(worker_id)
    assert (message["status"], message["provider"]) == ("delivered", "tencent")
    assert len(notify.sent_to(phone)) == 1
    assert [outcome for _, outcome, _ in await attempt_log(notify, message["id"])] == ["transient", "found_sent"]
    [event] = notify.events_of("notify.message.delivered")
    assert event.subject == message["id"]


@pytest.mark.parametrize("notify_changes", [TENCENT_ONLY])
async def test_a_lost_tencent_send_without_a_report_is_sent_again_only_after_the_report_wait(notify):
    worker_id, phone = await notify.register()
    lost_at = notify.clock.now()
    notify.tencent.fail_next(timeout=True, accept=True)
    await notify.issue(worker_id)
    await notify.settle()
    await notify.later(seconds=30)  # asked: not listed (no report yet), so not sent again but asked again later
    waiting = await notify.message(worker_id)
    assert waiting["status"] == "queued" and "状态报告" in waiting["reason"]
    assert (local(waiting["next_attempt_at"]) - lost_at).total_seconds() == 300
    await notify.later(minutes=4)
    assert len(notify.sent_to(phone)) == 1
    await notify.later(minutes=1)  # still not listed after the wait: taken as not sent
    message = await notify.message(worker_id)
    assert message["status"] == "sent" and len(notify.sent_to(phone)) == 2
    assert [o for _, o, _ in await attempt_log(notify, message["id"])] == ["transient", "not_reported", "not_found",
                                                                             "sent"]


@pytest.mark.parametrize("notify_changes", [TENCENT_ONLY])
async def test_a_report_that_comes_during_the_wait_settles_the_lost_tencent_send(notify):
    worker_id, phone = await notify.register()
    notify.tencent.fail_next(timeout=True, accept=True)
    await notify.issue(worker_id)
    await notify.settle()
    await notify.later(seconds=30)
    assert (await notify.message(worker_id))["status"] == "queued"
    await notify.tencent.push_receipts(notify.callback("receipts/tencent"), client=notify.client,
                                       delivered=False, errmsg="MK:0005")
    await notify.later(minutes=5)
    message = await notify.message(worker_id)
    assert message["status"] == "failed" and "MK:0005" in message["reason"]
    assert len(notify.sent_to(phone)) == 1


async def test_a_lost_tencent_send_is_checked_at_tencent_even_when_aliyun_is_back(notify):
    notify.aliyun.down = "isv.OUT_OF_SERVICE"
    worker_id, phone = await notify.register()
    notify.tencent.fail_next(timeout=True, accept=True)
    await notify.issue(worker_id)
    await notify.settle()
    await notify.tencent.push_receipts(notify.callback("receipts/tencent"), client=notify.client)
    notify.aliyun.down = None
    await notify.later(minutes=6)  # Aliyun, the first choice, is tried again by now
    message = await notify.message(worker_id)
    assert (message["status"], message["provider"]) == ("delivered", "tencent")
    assert len(notify.sent_to(phone)) == 1 and notify.aliyun.sent == []


async def test_a_vendor_down_fails_over_to_the_other_and_raises_the_alert(notify):
    def alerts() -> float:
        return REGISTRY.get_sample_value("jobbridge_notify_provider_down_total",
                                         {"provider": "aliyun", "code": "isv.AMOUNT_NOT_ENOUGH"}) or 0.0

    before = alerts()
    notify.aliyun.down = "isv.AMOUNT_NOT_ENOUGH"
    first, first_phone = await notify.register()
    second, second_phone = await notify.register()
    await notify.issue(first)
    await notify.settle()
    await notify.issue(second)
    await notify.settle()
    assert [m.to for m in notify.tencent.sent] == [f"+86{first_phone}", f"+86{second_phone}"]
    assert notify.aliyun.calls["SendSms"] == 1  # the second went straight to Tencent
    assert alerts() == before + 1
    message = await notify.message(first)
    assert await attempt_log(notify, message["id"]) == [("aliyun", "provider_down", "isv.AMOUNT_NOT_ENOUGH"),
                                                        ("tencent", "sent", "Ok")]
    notify.aliyun.down = None
    await notify.later(minutes=6)  # past NOTIFY_PROVIDER_DOWN_SECONDS: Aliyun is tried again
    third, third_phone = await notify.register()
    await notify.issue(third)
    await notify.settle()
    assert [m.to for m in notify.aliyun.sent] == [third_phone]


async def test_rate_limited_sends_wait_for_the_end_of_their_window(notify):
    worker_id, phone = await notify.register()
    notify.aliyun.fail_next(code="isv.BUSINESS_LIMIT_CONTROL", message="触发分钟级流控Permits:1")
    await notify.issue(worker_id)
    await notify.settle()
    message = await notify.message(worker_id)
    assert local(message["next_attempt_at"]) == datetime(2026, 11, 28, 2, 1, tzinfo=timezone.utc)
    await notify.later(minutes=1)
    assert len(notify.sent_to(phone)) == 1


@pytest.mark.parametrize("notify_changes", [{"max_attempts": 2}])
async def test_exhausted_messages_fail_with_the_reason_and_say_so(notify):
    worker_id, phone = await notify.register()
    notify.aliyun.fail_next(2, code="isp.SYSTEM_ERROR")
    await notify.issue(worker_id)
    await notify.settle()
    await notify.later(seconds=30)
    message = await notify.message(worker_id)
    assert message["status"] == "failed" and notify.sent_to(phone) == []
    assert message["reason"] == "2次发送未成功（上限2次），最后一次：aliyun isp.SYSTEM_ERROR"
    [event] = notify.events_of("notify.message.failed")
    assert (event.data["worker_id"], event.data["reason"]) == (worker_id, message["reason"])


async def test_a_number_on_tencents_blacklist_is_opted_out_for_good(notify):
    notify.aliyun.down = "isv.OUT_OF_SERVICE"
    worker_id, phone = await notify.register()
    notify.tencent.blacklist.add(f"+86{phone}")
    await notify.issue(worker_id)
    await notify.settle()
    message = await notify.message(worker_id)
    assert message["status"] == "failed" and "退订" in message["reason"]
    await notify.later(minutes=31)
    await notify.issue(worker_id, version=2)
    await notify.settle()
    latest = (await notify.messages(worker_id=worker_id))[0]
    assert (latest["status"], latest["reason"], latest["attempts"]) == ("not_sent", "已退订短信", 0)
    assert notify.tencent.calls["SendSms"] == 1


async def test_a_td_reply_stops_sms_for_good(notify):
    worker_id, phone = await notify.register()
    await notify.issue(worker_id)
    await notify.settle()
    ignored = await notify.client.post(notify.callback("replies/aliyun"), json=[
        {"phone_number": phone, "content": "谢谢", "send_time": "2026-11-28 10:01:00", "sign_name": "兴安就业",
         "dest_code": "", "sequence_id": 1},
        {"phone_number": "13900009999", "content": "TD", "send_time": "2026-11-28 10:01:00", "sign_name": "兴安就业",
         "dest_code": "", "sequence_id": 2}])
    assert ignored.json() == {"code": 0, "msg": "接收成功"}
    await notify.later(minutes=31)
    await notify.issue(worker_id, version=2)
    await notify.settle()
    assert len(notify.sent_to(phone)) == 2  # a thank-you and a stranger's TD change nothing

    answer = await notify.client.post(notify.callback("replies/tencent"), json=[
        {"extend": "", "mobile": phone, "nationcode": "86", "sign": "兴安就业", "text": "回T", "time": 1764295200}])
    assert answer.json() == {"result": 0, "errmsg": "OK"}
    await notify.later(minutes=31)
    await notify.issue(worker_id, version=3)
    await notify.settle()
    assert len(notify.sent_to(phone)) == 2
    assert (await notify.messages(worker_id=worker_id))[0]["reason"] == "已退订短信"


@pytest.mark.parametrize("notify_contacts", [StaticContacts()])
async def test_a_contact_lookup_that_fails_is_retried_and_counts_no_attempt(notify, notify_contacts):
    notify_contacts.contacts["w-1"] = Contact(worker_id="w-1", phone="13900001234", wechat_openid=None,
                                              consent_sms=True, consent_wechat=False, status="seeking")
    notify_contacts.unavailable = True
    await notify.issue("w-1")
    await notify.settle()
    message = await notify.message("w-1")
    assert (message["status"], message["attempts"]) == ("queued", 0) and "workers" in message["last_error"]
    notify_contacts.unavailable = False
    await notify.later(seconds=30)
    assert len(notify.sent_to("13900001234")) == 1


async def die_after_the_send(notify, fake) -> tuple[str, str]:
    """Play a dispatcher that claims a worker's message, has `fake` take it, and dies before recording it."""
    from datetime import timedelta

    from services.notify.delivery import service as delivery
    from services.notify.vendors.http import provider_client

    await notify.app.state.runtime.stop_relays()  # no dispatcher: this test plays the one that dies
    worker_id, phone = await notify.register()
    await notify.issue(worker_id)
    async with notify.unit.database.transaction() as session:
        [claim] = await delivery.claim_due(session=session, now=notify.clock.now(), batch=10,
                                           lease_for=timedelta(seconds=120))
    async with provider_client(timeout=1) as client:  # the send goes out; the process dies before recording it
        await fake.provider(client).send_sms(phone=phone, template_params=claim.sms_params, text=claim.sms_text,
                                             idempotency_key=claim.idempotency_key)
    return worker_id, phone


async def start_again(notify) -> None:
    """The lease ends; a new process starts its dispatcher and outbox relay and works until all is settled."""
    notify.clock.advance(seconds=121)
    stop = asyncio.Event()
    running = [asyncio.create_task(notify.unit.state["dispatcher"].run(stop)),
               asyncio.create_task(notify.app.state.runtime.relays["notify"].run(stop))]
    try:
        await notify.settle()
    finally:
        stop.set()
        await asyncio.gather(*running)


async def test_a_pass_that_died_after_aliyun_took_the_message_is_not_sent_again(notify):
    worker_id, phone = await die_after_the_send(notify, notify.aliyun)
    await start_again(notify)
    message = await notify.message(worker_id)
    assert message["status"] == "sent" and len(notify.sent_to(phone)) == 1
    assert [outcome for _, outcome, _ in await attempt_log(notify, message["id"])] == ["found_sent"]


@pytest.mark.parametrize("notify_changes", [TENCENT_ONLY])
async def test_a_pass_that_died_after_tencent_took_the_message_is_not_sent_again(notify):
    worker_id, phone = await die_after_the_send(notify, notify.tencent)
    await notify.tencent.push_receipts(notify.callback("receipts/tencent"), client=notify.client)
    await start_again(notify)
    message = await notify.message(worker_id)
    assert message["status"] == "delivered" and len(notify.sent_to(phone)) == 1
    assert [outcome for _, outcome, _ in await attempt_log(notify, message["id"])] == ["found_sent"]
