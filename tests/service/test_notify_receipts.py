"""Receipts from each fake provider, pushed to notify's callbacks: delivered or failed, answered as each expects."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from services.notify.app import create_app
from tests.service.notify_fixtures import fakes, notify, notify_changes, notify_contacts, notify_settings  # noqa: F401 - fakes, notify, notify_*: fixtures

OPENID = "oia2TjuEGTNoeX76QEjQNrcURxG8"


def counted(provider: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("jobbridge_notify_receipts_total",
                                     {"provider": provider, "outcome": outcome}) or 0.0


async def sent_one(notify, **register) -> str:
    worker_id, _ = await notify.register(**register)
    await notify.issue(worker_id)
    await notify.settle()
    assert (await notify.message(worker_id))["status"] == "sent"
    return worker_id


async def test_an_aliyun_report_marks_the_message_delivered_and_says_so(notify):
    worker_id = await sent_one(notify)
    before = counted("aliyun", "delivered")
    answers = await notify.aliyun.push_receipts(notify.callback("receipts/aliyun"), client=notify.client)
    assert [a.json() for a in answers] == [{"code": 0, "msg": "接收成功"}]
    await notify.settle()
    message = await notify.message(worker_id)
    assert message["status"] == "delivered" and message["delivered_at"]
    [event] = notify.events_of("notify.message.delivered")
    assert (event.subject, event.data["worker_id"], event.data["channel"]) == (message["id"], worker_id, "sms")
    assert counted("aliyun", "delivered") == before + 1


async def test_a_tencent_callback_marks_the_message_delivered(notify):
    notify.aliyun.down = "isv.AMOUNT_NOT_ENOUGH"
    worker_id = await sent_one(notify)
    answers = await notify.tencent.push_receipts(notify.callback("receipts/tencent"), client=notify.client)
    assert [notify.tencent.receipt_acknowledged(a) for a in answers] == [True]
    assert answers[0].json() == {"result": 0, "errmsg": "OK"}
    assert (await notify.message(worker_id))["status"] == "delivered"


async def test_a_wechat_result_event_marks_the_message_delivered(notify):
    worker_id = await sent_one(notify, openid=OPENID, wechat=True)
    answers = await notify.wechat.push_receipts(notify.callback("receipts/wechat"), client=notify.client)
    assert [(a.status_code, a.text) for a in answers] == [(200, "success")]
    message = await notify.message(worker_id)
    assert (message["channel"], message["status"]) == ("wechat", "delivered")


async def test_a_failed_report_fails_the_message_with_the_carriers_code(notify):
    worker_id = await sent_one(notify)
    await notify.aliyun.push_receipts(notify.callback("receipts/aliyun"), client=notify.client, delivered=False,
                                      err_code="MK:0005")
    await notify.settle()
    message = await notify.message(worker_id)
    assert message["status"] == "failed" and "MK:0005" in message["reason"]
    [event] = notify.events_of("notify.message.failed")
    assert event.data["status"] == "failed"


async def test_a_repeated_receipt_changes_nothing(notify):
    worker_id = await sent_one(notify)
    [sent] = notify.aliyun.sent
    report = [{"phone_number": sent.to, "send_time": "2026-11-28 10:00:00", "report_time": "2026-11-28 10:00:05",
               "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功", "sms_size": "2",
               "biz_id": sent.message_id, "out_id": sent.key}]
    for _ in range(2):
        answer = await notify.client.post(notify.callback("receipts/aliyun"), json=report)
        assert answer.json() == {"code": 0, "msg": "接收成功"}
    await notify.settle()
    assert (await notify.message(worker_id))["status"] == "delivered"
    assert len(notify.events_of("notify.message.delivered")) == 1


async def test_unknown_ids_are_acknowledged_and_a_receipt_before_its_send_is_applied_with_it(notify):
    before = counted("tencent", "unknown")
    unknown = [{"user_receive_time": "2026-11-28 10:00:05", "nationcode": "86", "mobile": "13900000000",
                "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功", "sid": "5000:nope"}]
    answer = await notify.client.post(notify.callback("receipts/tencent"), json=unknown)
    assert answer.json() == {"result": 0, "errmsg": "OK"} and counted("tencent", "unknown") == before + 1

    # Aliyun's first BizId from the fake, reported before our send is recorded (receipts can overtake).
    early = [{"phone_number": "13900000001", "send_time": "2026-11-28 10:00:00", "report_time": "2026-11-28 10:00:05",
              "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功", "sms_size": "2",
              "biz_id": "900619746936498440^0", "out_id": ""}]
    assert (await notify.client.post(notify.callback("receipts/aliyun"), json=early)).json()["code"] == 0
    worker_id, _ = await notify.register()
    await notify.issue(worker_id)
    await notify.settle()
    assert (await notify.message(worker_id))["status"] == "delivered"


async def test_malformed_callbacks_are_refused_and_other_wechat_events_acknowledged(notify):
    assert (await notify.client.post(notify.callback("receipts/aliyun"), content=b"not json")).status_code == 400
    assert (await notify.client.post(notify.callback("receipts/tencent"), json=[{"no": "sid"}])).status_code == 400
    subscribe = ("<xml><ToUserName><![CDATA[gh_fake00000001]]></ToUserName><FromUserName><![CDATA[x]]></FromUserName>"
                 "<CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>"
                 "</xml>")
    query = await _signed(notify)
    answer = await notify.client.post("/notify/receipts/wechat", content=subscribe.encode(), params=query)
    assert (answer.status_code, answer.text) == (200, "success")


async def _signed(notify, *, token: bool = True) -> dict[str, str]:
    """A WeChat push's query: its signature, and the callback token of the URL (httpx replaces a URL's query)."""
    import hashlib

    timestamp, nonce = "1764295200", "abc"
    signature = hashlib.sha1("".join(sorted([notify.wechat.callback_token, timestamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce} | (
        {"token": notify.callback_token} if token else {})


async def test_wechat_callbacks_need_wechats_signature_and_the_url_check_echoes(notify):
    event = notify.wechat.result_event(type("M", (), {"to": OPENID, "message_id": "1"})(), "success")
    refused = await notify.client.post("/notify/receipts/wechat", content=event.encode(),
                                       params={"signature": "0" * 40, "timestamp": "1", "nonce": "n",
                                               "token": notify.callback_token})
    assert refused.status_code == 401 and refused.json()["code"] == "callback_refused"
    echo = await notify.client.get("/notify/receipts/wechat", params=await _signed(notify) | {"echostr": "e1"})
    assert (echo.status_code, echo.text) == (200, "e1")
    assert echo.headers["X-Content-Type-Options"] == "nosniff"  # the caller's text, never read as HTML
    unsigned = await notify.client.get("/notify/receipts/wechat", params={"echostr": "e2",
                                                                           "token": notify.callback_token})
    assert unsigned.status_code == 401 and "e2" not in unsigned.text


CALLBACKS = ["receipts/aliyun", "receipts/tencent", "receipts/wechat", "replies/aliyun", "replies/tencent"]


@pytest.mark.parametrize("path", CALLBACKS)
async def test_every_callback_refuses_a_caller_without_the_token(notify, path):
    for token in (None, "", "wrong-token", notify.callback_token[:-1], "令牌"):
        query = {} if token is None else {"token": token}
        if path.endswith("wechat"):
            query |= await _signed(notify, token=False)  # WeChat's own signature alone is not enough
        answer = await notify.client.post(f"/notify/{path}", params=query, json=[],
                                          headers={"Accept-Language": "zh-CN"})
        assert answer.status_code == 401, (token, answer.text)
        assert answer.json()["code"] == "callback_refused" and answer.json()["message"] == "回调验证未通过"


async def test_the_token_is_made_once_in_the_data_folder_and_kept_owner_only(notify, tmp_path):
    saved = tmp_path / "callback-token"
    assert saved.read_text().strip() == notify.callback_token and len(notify.callback_token) >= 40
    assert saved.stat().st_mode & 0o777 == 0o600
    again = notify_settings(tmp_path, aliyun=notify.aliyun, tencent=notify.tencent, wechat=notify.wechat)
    assert again.callback_token == notify.callback_token  # the next start (or another process) reads the same


async def test_a_forged_receipt_changes_nothing(notify):
    worker_id = await sent_one(notify)
    forged = await notify.aliyun.push_receipts("http://test/notify/receipts/aliyun?token=guess", client=notify.client,
                                               delivered=False)
    assert forged[0].status_code == 401 and not notify.aliyun.receipt_acknowledged(forged[0])
    await notify.settle()
    assert (await notify.message(worker_id))["status"] == "sent"
    assert notify.events_of("notify.message.failed") == []


@pytest.mark.parametrize("notify_changes", [{"receipt_token": "callback-secret-0123456789"}])
async def test_a_configured_token_is_the_one_callers_need(notify, tmp_path):
    assert notify.callback_token == "callback-secret-0123456789" and not (tmp_path / "callback-token").exists()
    worker_id = await sent_one(notify)
    url = "http://test/notify/receipts/aliyun?token=callback-secret-0123456789"
    answers = await notify.aliyun.push_receipts(url, client=notify.client)
    assert notify.aliyun.receipt_acknowledged(answers[0])
    assert (await notify.message(worker_id))["status"] == "delivered"


@pytest.mark.parametrize("notify_changes", [{"callbacks_unauthenticated": True, "sms_providers": "recording",
                                             "wechat_provider": "recording"}])
async def test_the_development_setting_lets_callbacks_in_without_a_token(notify):
    answer = await notify.client.post("/notify/receipts/aliyun", json=[])
    assert answer.json() == {"code": 0, "msg": "接收成功"}


@pytest.mark.parametrize("providers", [{"sms_providers": "recording,aliyun"}, {"wechat_provider": "wechat"}])
def test_the_development_setting_is_refused_next_to_a_real_provider(tmp_path, fakes, providers):
    aliyun, tencent, wechat = fakes
    settings = notify_settings(tmp_path, aliyun=aliyun, tencent=tencent, wechat=wechat, callbacks_unauthenticated=True,
                               **({"sms_providers": "recording", "wechat_provider": "recording"} | providers))
    with pytest.raises(ValueError, match="NOTIFY_CALLBACKS_UNAUTHENTICATED"):
        create_app(settings)


async def test_a_push_of_thousands_of_receipts_is_taken_whole(notify):
    # Aliyun pushes what it has in one array: after a burst of sends, thousands at once (9 keys a receipt).
    worker_id = await sent_one(notify)
    [sent] = notify.aliyun.sent
    others = [{"phone_number": "1390000" + f"{n:04d}", "send_time": "2026-11-28 10:00:00",
               "report_time": "2026-11-28 10:00:05", "success": True, "err_code": "DELIVERED",
               "err_msg": "用户接收成功", "sms_size": "1", "biz_id": f"9{n:017d}", "out_id": ""} for n in range(2_999)]
    ours = {**others[0], "phone_number": sent.to, "biz_id": sent.message_id, "out_id": sent.key}
    answer = await notify.client.post(notify.callback("receipts/aliyun"), json=[*others, ours])
    assert answer.status_code == 200 and answer.json() == {"code": 0, "msg": "接收成功"}
    await notify.settle()
    assert (await notify.message(worker_id))["status"] == "delivered"
