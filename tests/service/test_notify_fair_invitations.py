"""A job fair's invitations (`jobs.fair.invited`) through notify: one message per labourer and fair, sent with the
invitation template under the same consent, opt-outs, quiet hours and limits as offers."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from services.notify.invitations.compose import aliyun_template, tencent_template
from shared.events.envelope import Envelope
from tests.service.notify_fixtures import fakes, notify, notify_changes, notify_contacts  # noqa: F401 - fixtures

ALIYUN_CODE, TENCENT_ID, WECHAT_ID = "SMS_490250002", "1900002", "tmpl-job-fair-0001"
FAIR_ID = str(uuid.uuid4())


# Every test runs with the invitation templates configured at each vendor.
pytestmark = pytest.mark.parametrize("notify_changes", [{
    "aliyun_invitation_template_code": ALIYUN_CODE, "tencent_invitation_template_id": TENCENT_ID,
    "wechat_invitation_template_id": WECHAT_ID}])


@pytest.fixture(autouse=True)
def invitation_templates(fakes):  # noqa: F811 - the fixture imported above
    """The vendors hold the invitation template beside the offers one (as registered in their consoles)."""
    aliyun, tencent, wechat = fakes
    aliyun.templates[ALIYUN_CODE] = aliyun_template()
    tencent.templates[TENCENT_ID] = tencent_template()
    wechat.template_ids.append(WECHAT_ID)


def invited(*worker_ids: str, held_on: str = "2026-12-10", fair_id: str = FAIR_ID, version: int = 2) -> Envelope:
    """The event jobs publishes when staff invite labourers to a fair."""
    return Envelope(type="jobs.fair.invited", occurred_at=datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc),
                    producer="jobs", subject=fair_id, version=version,
                    data={"fair_id": fair_id, "title": "科右中旗冬季招聘会", "held_on": held_on, "start_time": "09:00",
                          "region_code": "152222105", "region_name": "巴彦呼舒镇", "venue": "巴彦呼舒镇人力资源市场",
                          "postings": 12, "worker_ids": list(worker_ids), "invited_within": "152222"})


async def test_an_invitation_is_sent_once_with_its_own_template_even_when_the_event_comes_twice(notify):
    worker_id, phone = await notify.register()
    event = invited(worker_id)
    await notify.publish(event)
    await notify.publish(event)  # redelivered
    await notify.publish(invited(worker_id, version=3))  # invited again in a later batch: still one invitation
    await notify.settle()
    [sms] = notify.sent_to(phone)
    assert sms.template in (ALIYUN_CODE, TENCENT_ID)
    assert sms.text == ("【兴安就业】12月10日9时在巴彦呼舒镇人力资源市场举办招聘会，有12个岗位，欢迎参加。"
                        "咨询科右中旗就业服务中心0482-4112345。回T退订")
    assert phone not in str(event.data)
    [message] = await notify.messages(worker_id=worker_id)
    assert message["status"] == "sent" and message["text"] == sms.text


async def test_an_invitation_and_offers_do_not_take_each_others_place(notify):
    worker_id, phone = await notify.register()
    await notify.issue(worker_id)
    await notify.publish(invited(worker_id))
    await notify.settle()
    await notify.later(minutes=1)  # the SMS interval between two messages to one number
    await notify.later(minutes=30)
    texts = [m.text for m in notify.sent_to(phone)]
    assert len(texts) == 2 and any("招聘会" in t for t in texts) and any("为您推荐" in t for t in texts)


async def test_no_consent_or_an_opt_out_means_no_invitation(notify):
    silent, silent_phone = await notify.register(sms=False)
    left, left_phone = await notify.register()
    await notify.issue(left)  # an offers SMS, answered 回T: SMS stop for good
    await notify.settle()
    answer = await notify.client.post(notify.callback("replies/tencent"), json=[
        {"extend": "", "mobile": left_phone, "nationcode": "86", "sign": "兴安就业", "text": "回T", "time": 1764295200}])
    assert answer.json() == {"result": 0, "errmsg": "OK"}
    await notify.later(minutes=31)
    await notify.publish(invited(silent, left))
    await notify.settle()
    assert notify.sent_to(silent_phone) == []
    assert [m.text for m in notify.sent_to(left_phone) if "招聘会" in m.text] == []
    invitations = [m for w in (silent, left) for m in await notify.messages(worker_id=w) if "招聘会" in m["text"]]
    assert {m["worker_id"]: (m["status"], m["reason"]) for m in invitations} == {
        silent: ("not_sent", "未同意接收短信或微信"), left: ("not_sent", "已退订短信")}
    failed = [e.data for e in notify.events_of("notify.message.failed")]
    assert {d["worker_id"] for d in failed} == {silent, left} and {d["kind"] for d in failed} == {"fair_invitation"}


async def test_an_invitation_in_the_quiet_hours_waits_for_the_morning(notify):
    worker_id, phone = await notify.register()
    notify.clock.advance(hours=12)  # 22:00 in Beijing
    await notify.publish(invited(worker_id))
    await notify.settle()
    assert notify.sent_to(phone) == []
    [message] = await notify.messages(worker_id=worker_id)
    assert message["status"] == "queued" and "夜间免打扰" in message["reason"]
    await notify.later(hours=10)  # 08:00
    assert len(notify.sent_to(phone)) == 1


async def test_an_invitation_to_a_fair_already_over_is_not_sent(notify):
    worker_id, phone = await notify.register()
    await notify.publish(invited(worker_id, held_on="2026-11-20"))
    await notify.settle()
    assert notify.sent_to(phone) == []
    [message] = await notify.messages(worker_id=worker_id)
    assert message["status"] == "not_sent" and "结束" in message["reason"]
