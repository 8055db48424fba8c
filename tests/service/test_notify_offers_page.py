"""The offers page a WeChat message links to: the message's offers without the worker's name or number, 想了解 / 不合适
per offer recorded once (想了解 as an interest with its event, channel wechat), and a bad link a plain 404."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.service.notify_fixtures import (  # noqa: F401 - fakes, notify, notify_*: fixtures
    CONTACT,
    THREE,
    fakes,
    notify,
    notify_contacts,
)

OPENID = "oia2TjuEGTNoeX76QEjQNrcURxG8"
PUBLIC = "https://jobs.example.gov.cn"
INTERESTED, DECLINED_ALL = "notify.offer.interested", "notify.offer.declined_all"
GONE = "链接已失效，请联系工作站"


@pytest.fixture
def notify_changes() -> dict:
    return {"wechat_link": "", "public_url": PUBLIC}


async def page_sent(notify) -> tuple[str, str, str, dict]:
    """Register a WeChat follower, issue a set and let it go; return (worker id, phone, the page path, message)."""
    worker_id, phone = await notify.register(openid=OPENID, wechat=True)
    await notify.issue(worker_id, run_id="run-1")
    await notify.settle()
    [sent] = notify.sent_to(OPENID)
    assert sent.text.startswith(f"{PUBLIC}/notify/offers/")  # the WeChat template message's url
    message = await notify.message(worker_id)
    assert message["channel"] == "wechat"
    return worker_id, phone, urlsplit(sent.text).path, message


async def press(notify, path: str, offer: int, answer: str):
    return await notify.client.post(f"{path}/answers", data={"offer": str(offer), "answer": answer})


async def replies(notify, **query) -> list[dict]:
    answer = await notify.client.get("/notify/replies", params=query, headers=notify.auth())
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def test_the_wechat_message_links_to_a_page_of_its_offers_without_the_workers_number(notify):
    _, phone, path, _ = await page_sent(notify)
    page = await notify.client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'name="viewport"' in html and "<script" not in html and "http" not in html.split("<body>")[1]
    for number, item in enumerate(THREE, 1):
        assert f"{number}. {item['title']}" in html and item["employer"] in html and item["region_name"] in html
    assert "5000-6500元" in html and "包吃住" in html and "会：保洁" in html and CONTACT in html
    assert html.count("想了解") == 3 and html.count("不合适") == 3
    assert phone not in html and OPENID not in html
    assert page.headers["cache-control"] == "no-store"


async def test_interest_on_the_page_is_an_interest_reply_with_one_event_on_wechat(notify):
    worker_id, phone, path, message = await page_sent(notify)
    for _ in range(2):
        answer = await press(notify, path, 2, "interest")
        assert answer.status_code == 303 and answer.headers["location"] == f"{path}#offer-2"
    await notify.settle()
    [reply] = await replies(notify, worker_id=worker_id)
    assert (reply["kind"], reply["offer_number"], reply["posting_id"], reply["provider"], reply["message_id"]) == (
        "interest", 2, THREE[1]["posting_id"], "wechat", message["id"])
    [event] = notify.events_of(INTERESTED)
    assert (event.data["channel"], event.data["posting_id"], event.data["offer_number"]) == (
        "wechat", THREE[1]["posting_id"], 2)
    assert phone.encode() not in event.to_json() and OPENID.encode() not in event.to_json()
    page = (await notify.client.get(path)).text
    assert "已收到，工作人员会联系您" in page and page.count("想了解") == 2


async def test_not_fit_is_recorded_and_all_of_them_make_one_declined_all(notify):
    worker_id, _, path, _ = await page_sent(notify)
    assert (await press(notify, path, 1, "not_fit")).status_code == 303
    await press(notify, path, 1, "not_fit")
    await notify.settle()
    assert [(r["kind"], r["offer_number"]) for r in await replies(notify, worker_id=worker_id)] == [("not_fit", 1)]
    assert "已记下：不合适" in (await notify.client.get(path)).text
    assert notify.events_of(DECLINED_ALL) == []
    await press(notify, path, 1, "interest")  # the first answer to an offer stands
    for number in (2, 3, 3):
        await press(notify, path, number, "not_fit")
    await notify.settle()
    kinds = sorted((r["kind"], r["offer_number"]) for r in await replies(notify, worker_id=worker_id))
    assert kinds == [("none_fit", 0), ("not_fit", 1), ("not_fit", 2), ("not_fit", 3)]
    [declined] = notify.events_of(DECLINED_ALL)
    assert declined.data["channel"] == "wechat" and notify.events_of(INTERESTED) == []


async def test_a_tampered_expired_or_made_up_link_is_a_plain_404_in_chinese(notify):
    _, _, path, _ = await page_sent(notify)
    body, mac = path.rsplit(".", 1)
    tampered = f"{body}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"
    for bad in (tampered, "/notify/offers/nonsense", "/notify/offers/a.b.c", f"{path}x"):
        answer = await notify.client.get(bad)
        assert answer.status_code == 404 and GONE in answer.text, bad
        assert (await press(notify, bad, 1, "interest")).status_code == 404
    await notify.later(days=31)
    expired = await notify.client.get(path)
    assert expired.status_code == 404 and GONE in expired.text
    assert (await press(notify, path, 1, "interest")).status_code == 404
    assert notify.events_of(INTERESTED) == []


async def test_a_wrong_offer_number_or_answer_is_refused_and_the_page_takes_no_get_answers(notify):
    _, _, path, _ = await page_sent(notify)
    wrong = await press(notify, path, 4, "interest")
    assert wrong.status_code == 404 and "没有这个岗位" in wrong.text
    assert (await press(notify, path, 1, "maybe")).status_code == 422
    assert (await notify.client.get(f"{path}/answers", params={"offer": 1, "answer": "interest"})).status_code == 405
    assert notify.events_of(INTERESTED) == []
