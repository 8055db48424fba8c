"""Replies to the offers SMS, pushed by the fake vendors: an offer's number becomes an interest (once), 0 says none
fits, anything else waits for staff; 回T still opts out; a forged reply changes nothing."""

from __future__ import annotations

from sqlalchemy import MetaData, select

from tests.service.notify_fixtures import THREE, fakes, notify, notify_changes, notify_contacts, offer  # noqa: F401 - fakes, notify, notify_*: fixtures

INTERESTED, DECLINED_ALL = "notify.offer.interested", "notify.offer.declined_all"


async def offers_sent(notify, *, items=None, run_id: str | None = "run-1", **register) -> tuple[str, str, dict]:
    """Register a worker, issue a set and let its SMS go; return (worker id, phone, the issued event's data)."""
    worker_id, phone = await notify.register(**register)
    event = await notify.issue(worker_id, items=items, run_id=run_id, region=register.get("home", "152222105"))
    await notify.settle()
    assert (await notify.message(worker_id))["status"] == "sent"
    return worker_id, phone, event.data


async def replies(notify, role: str = "admin", **query) -> list[dict]:
    scope = {"region": "152222"} if role == "station_staff" else {}
    answer = await notify.client.get("/notify/replies", params=query, headers=notify.auth(role, **scope))
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def test_an_offers_number_becomes_an_interest_in_that_offer(notify):
    worker_id, phone, issued = await offers_sent(notify)
    answer = await notify.aliyun.push_reply(notify.callback("replies/aliyun"), phone=phone, content="2",
                                            client=notify.client)
    assert answer.json() == {"code": 0, "msg": "接收成功"}
    await notify.settle()
    [reply] = await replies(notify, worker_id=worker_id)
    message = await notify.message(worker_id)
    assert (reply["kind"], reply["offer_number"], reply["posting_id"], reply["posting_title"]) == (
        "interest", 2, THREE[1]["posting_id"], THREE[1]["title"])
    assert (reply["set_id"], reply["run_id"], reply["message_id"], reply["content"], reply["provider"]) == (
        issued["set_id"], "run-1", message["id"], "2", "aliyun")
    [event] = notify.events_of(INTERESTED)
    assert event.data | {"reply_id": None, "received_at": None} == {
        "reply_id": None, "worker_id": worker_id, "posting_id": THREE[1]["posting_id"], "offer_number": 2,
        "set_id": issued["set_id"], "run_id": "run-1", "message_id": message["id"], "channel": "sms",
        "received_at": None}
    assert event.subject == reply["id"] and phone.encode() not in event.to_json()


async def test_a_repeated_reply_or_a_redelivered_callback_changes_nothing(notify):
    worker_id, phone, _ = await offers_sent(notify)
    url = notify.callback("replies/aliyun")
    await notify.aliyun.push_reply(url, phone=phone, content="1", client=notify.client)
    await notify.aliyun.push_reply(url, phone=phone, content="1", client=notify.client, again=True)  # redelivered
    await notify.later(minutes=5)
    await notify.aliyun.push_reply(url, phone=phone, content="回1", client=notify.client)  # said again, later
    await notify.tencent.push_reply(notify.callback("replies/tencent"), phone=phone, content="１",
                                    client=notify.client)
    await notify.settle()
    assert [(r["kind"], r["offer_number"]) for r in await replies(notify, worker_id=worker_id)] == [("interest", 1)]
    assert len(notify.events_of(INTERESTED)) == 1


async def test_the_forms_a_phone_may_send_are_read_as_the_digit(notify):
    for content in ("２", " 2 ", "2 好的", "回2", "2号"):
        worker_id, phone, _ = await offers_sent(notify)
        await notify.tencent.push_reply(notify.callback("replies/tencent"), phone=phone, content=content,
                                        client=notify.client)
        [reply] = await replies(notify, worker_id=worker_id)
        assert (reply["kind"], reply["posting_id"], reply["content"]) == (
            "interest", THREE[1]["posting_id"], content.strip()), content
    await notify.settle()
    assert len(notify.events_of(INTERESTED)) == 5


async def test_zero_says_none_of_the_offers_fits(notify):
    worker_id, phone, issued = await offers_sent(notify)
    for again in (False, True):
        await notify.aliyun.push_reply(notify.callback("replies/aliyun"), phone=phone, content="0",
                                       client=notify.client, again=again)
    await notify.settle()
    [reply] = await replies(notify, worker_id=worker_id, kind="none_fit")
    assert (reply["offer_number"], reply["posting_id"], reply["set_id"]) == (0, None, issued["set_id"])
    [event] = notify.events_of(DECLINED_ALL)
    assert (event.data["worker_id"], event.data["set_id"], event.data["run_id"]) == (worker_id, issued["set_id"],
                                                                                     "run-1")
    assert "posting_id" not in event.data and notify.events_of(INTERESTED) == []


async def test_what_is_not_an_offers_number_waits_for_staff_and_is_never_guessed(notify):
    worker_id, phone, issued = await offers_sent(notify, items=THREE[:2])
    url = notify.callback("replies/aliyun")
    long = "请问" + "这个岗位包不包住，工资什么时候发，" * 6
    for content in ("谢谢你们", "12", "3", "2和3", long):  # words, two digits, beyond the two offers, too long
        await notify.aliyun.push_reply(url, phone=phone, content=content, client=notify.client)
    await notify.settle()
    unread = await replies(notify, worker_id=worker_id, kind="unknown")
    assert sorted(r["content"] for r in unread) == sorted(["谢谢你们", "12", "3", "2和3", long[:70]])
    assert {(r["offer_number"], r["posting_id"], r["set_id"]) for r in unread} == {(None, None, issued["set_id"])}
    assert await replies(notify, worker_id=worker_id, kind="interest") == []
    assert notify.events_of(INTERESTED) == notify.events_of(DECLINED_ALL) == []


async def test_a_reply_long_after_the_last_offers_sms_is_not_tied_to_those_offers(notify):
    worker_id, _, _ = await offers_sent(notify)
    await notify.later(days=31)
    # The simple form: the vendor's number route has been forgotten by now, so name the worker directly.
    await notify.client.post(notify.callback("replies/aliyun"), json={"worker_id": worker_id, "content": "1"})
    [reply] = await replies(notify, worker_id=worker_id)
    assert (reply["kind"], reply["set_id"], reply["posting_id"]) == ("unknown", None, None)
    assert [r["worker_id"] for r in await replies(notify, "station_staff", kind="unknown")] == [worker_id]


async def test_a_reply_from_an_unknown_number_is_kept_for_admin_only_without_the_number(notify):
    await offers_sent(notify)
    await notify.aliyun.push_reply(notify.callback("replies/aliyun"), phone="13911112222", content="2",
                                   client=notify.client)
    [reply] = await replies(notify, kind="unknown")
    assert (reply["worker_id"], reply["content"], reply["set_id"]) == (None, "2", None)
    assert await replies(notify, "station_staff", kind="unknown") == []
    tables = MetaData()
    async with notify.unit.database.engine.connect() as connection:
        await connection.run_sync(tables.reflect)
        rows = [str(row) for table in tables.sorted_tables for row in await connection.execute(select(table))]
    assert not [row for row in rows if "13911112222" in row or "11112222" in row]


async def test_staff_see_the_replies_of_their_region_and_other_roles_none(notify):
    url = notify.callback("replies/aliyun")
    home, home_phone, _ = await offers_sent(notify)  # 科右中旗, the staff's county
    elsewhere, phone, _ = await offers_sent(notify, home="152221101", run_id="run-2")  # 科右前旗, another county
    await notify.aliyun.push_reply(url, phone=home_phone, content="1", client=notify.client)
    await notify.aliyun.push_reply(url, phone=phone, content="3", client=notify.client)
    assert {r["worker_id"] for r in await replies(notify, kind="interest")} == {home, elsewhere}
    assert [r["worker_id"] for r in await replies(notify, "station_staff")] == [home]
    assert await replies(notify, "station_staff", worker_id=elsewhere) == []
    assert await replies(notify, "station_staff", run_id="run-2") == []
    other_county = await notify.client.get("/notify/replies", params={"run_id": "run-2"},
                                           headers=notify.auth("station_staff", region="152221"))
    assert [r["posting_id"] for r in other_county.json()["items"]] == [THREE[2]["posting_id"]]
    employer = await notify.client.get("/notify/replies", headers=notify.auth("employer", employer_id="e-1"))
    assert employer.status_code == 403


async def test_one_offer_is_numbered_and_its_digit_names_it(notify):
    single = [offer("护林员", "科右前旗林业局", "152221", "科尔沁右翼前旗", 2200, 2200, False, False)]
    worker_id, phone, _ = await offers_sent(notify, items=single)
    [sent] = notify.sent_to(phone)
    assert "1.护林员" in sent.text and sent.text.endswith("回1了解对应岗位，回0都不合适，回T退订")
    await notify.aliyun.push_reply(notify.callback("replies/aliyun"), phone=phone, content="1",
                                   client=notify.client)
    [reply] = await replies(notify, worker_id=worker_id)
    assert (reply["kind"], reply["posting_id"]) == ("interest", single[0]["posting_id"])


async def test_the_digits_name_the_offers_of_the_latest_sms(notify):
    worker_id, phone, _ = await offers_sent(notify)
    newer = [offer("厨师", "乌兰浩特宾馆", "152201", "乌兰浩特市", 4500, 5000, True, True), *THREE[:1]]
    await notify.later(minutes=31)
    event = await notify.issue(worker_id, version=2, items=newer)
    await notify.settle()
    await notify.aliyun.push_reply(notify.callback("replies/aliyun"), phone=phone, content="1",
                                   client=notify.client)
    [reply] = await replies(notify, worker_id=worker_id)
    assert (reply["posting_id"], reply["set_id"]) == (newer[0]["posting_id"], event.data["set_id"])


async def test_a_td_reply_still_opts_out_and_is_not_kept_as_a_reply(notify):
    worker_id, phone, _ = await offers_sent(notify)
    await notify.tencent.push_reply(notify.callback("replies/tencent"), phone=phone, content="TD",
                                    client=notify.client)
    await notify.later(minutes=31)
    await notify.issue(worker_id, version=2)
    await notify.settle()
    assert (await notify.messages(worker_id=worker_id))[0]["reason"] == "已退订短信"
    assert await replies(notify, worker_id=worker_id) == []


async def test_a_forged_reply_is_refused_and_changes_nothing(notify):
    worker_id, phone, _ = await offers_sent(notify)
    for url in ("http://test/notify/replies/aliyun", "http://test/notify/replies/aliyun?token=guessed"):
        for body in ({"worker_id": worker_id, "content": "T"}, {"worker_id": worker_id, "content": "2"}):
            answer = await notify.client.post(url, json=body)
            assert answer.status_code == 401 and answer.json()["code"] == "callback_refused"
        forged = await notify.aliyun.push_reply(url, phone=phone, content="TD", client=notify.client)
        assert forged.status_code == 401
    await notify.later(minutes=31)
    await notify.issue(worker_id, version=2)
    await notify.settle()
    assert len(notify.sent_to(phone)) == 2  # still texted: nobody opted them out
    assert await replies(notify, worker_id=worker_id) == []
    assert notify.events_of(INTERESTED) == []
