"""Reading what the providers push (receipts, replies), the opt-out words, the reply hash, and notify's settings."""

from __future__ import annotations

import json
from datetime import time
from typing import Any

import pytest

from services.notify.contacts import Contact
from services.notify.messages.service import idempotency_key
from services.notify.opt_outs.service import number_hash
from services.notify.replies.parse import Answer, Reading, is_opt_out, read_answer
from services.notify.settings import NotifySettings
from services.notify.vendors.aliyun import AliyunSms
from services.notify.vendors.pushes import NotJson, ReceiptIn, SmsReply
from services.notify.vendors.registry import SMS_PUSHES
from services.notify.vendors.tencent import TencentSms
from services.notify.vendors.wechat import WechatTemplates


def pushed(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def replies(vendor: str, body: Any) -> list[SmsReply]:
    return SMS_PUSHES[vendor].parse_replies(pushed(body))


def test_aliyun_sms_reports_are_read_with_their_out_id():
    body = [{"phone_number": "1381111****", "send_time": "2017-01-01 00:00:00", "report_time": "2017-01-01 00:00:00",
             "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功", "sms_size": "1", "biz_id": "12345",
             "out_id": "67890"},
            {"biz_id": "12346", "success": "false", "err_code": "MK:0001", "err_msg": "失败", "out_id": ""}]
    assert AliyunSms.parse_receipts(pushed(body)) == [
        ReceiptIn("aliyun", "12345", True, "DELIVERED", "用户接收成功", "67890", number="1381111****"),
        ReceiptIn("aliyun", "12346", False, "MK:0001", "失败", None)]


def test_tencent_callbacks_are_read_by_sid():
    body = [{"user_receive_time": "2015-10-17 08:03:04", "nationcode": "86", "mobile": "13xxxxxxxxx",
             "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功", "sid": "5000:1"},
            {"report_status": "FAIL", "errmsg": "MK:0001", "description": "失败", "sid": "5000:2"}]
    found = TencentSms.parse_receipts(pushed(body))
    assert [(r.provider_message_id, r.delivered, r.status) for r in found] == [("5000:1", True, "DELIVRD"),
                                                                              ("5000:2", False, "MK:0001")]


def test_wechat_result_events_are_read_and_other_xml_refused():
    event = ("<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName><FromUserName><![CDATA[oia2TjuEGTNoeX76QEjQ"
             "NrcURxG8]]></FromUserName><CreateTime>1395658920</CreateTime><MsgType><![CDATA[event]]></MsgType>"
             "<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>200163836</MsgID><Status><![CDATA[failed:user "
             "block]]></Status></xml>")
    assert WechatTemplates.parse_receipts(event.encode()) == [
        ReceiptIn("wechat", "200163836", False, "failed:user block")]
    for bad in (b"<xml><Event>subscribe</Event></xml>", b"not xml at all"):
        with pytest.raises(ValueError):
            WechatTemplates.parse_receipts(bad)


@pytest.mark.parametrize("body", [{"biz_id": "1"}, "text", [1, 2]])
def test_malformed_reports_are_refused(body):
    with pytest.raises((KeyError, ValueError)):
        AliyunSms.parse_receipts(pushed(body))


@pytest.mark.parametrize("vendor", sorted(SMS_PUSHES))
def test_a_push_that_is_not_json_is_told_apart_from_a_bad_report(vendor):
    with pytest.raises(NotJson):
        SMS_PUSHES[vendor].parse_receipts(b"not json")
    with pytest.raises(NotJson):
        SMS_PUSHES[vendor].parse_replies(b"{")


def test_replies_in_each_vendors_form_and_the_simple_form():
    aliyun = [{"phone_number": "13900001234", "send_time": "2026-11-28 10:00:00", "content": "TD",
               "sign_name": "兴安就业", "dest_code": "", "sequence_id": 1}]
    tencent = [{"extend": "", "mobile": "13900001234", "nationcode": "86", "sign": "兴安就业", "text": "T", "time": 1}]
    assert [(r.number, r.content) for r in replies("aliyun", aliyun)] == [("13900001234", "TD")]
    assert [(r.number, r.content) for r in replies("tencent", tencent)] == [("13900001234", "T")]
    [simple] = replies("aliyun", {"worker_id": "w-1", "content": "退订"})
    assert (simple.worker_id, simple.number, simple.content, simple.marks) == ("w-1", None, "退订", "")
    assert replies("aliyun", aliyun)[0].marks == "2026-11-28 10:00:00|1" and replies("tencent", tencent)[0].marks == "1"
    assert "13900001234" not in repr(replies("aliyun", aliyun)[0])
    with pytest.raises(ValueError):
        replies("aliyun", [{"phone_number": "13900001234"}])


@pytest.mark.parametrize(("content", "stop"), [("T", True), ("t", True), ("TD", True), (" td。", True),
                                               ("回T", True), ("退订", True), ("退订谢谢", True), ("N", True),
                                               ("谢谢", False), ("好的", False), ("TDD", True), ("", False)])
def test_what_counts_as_asking_to_stop(content, stop):
    assert is_opt_out(content) is stop


@pytest.mark.parametrize(("content", "reading"), [
    ("2", Reading(Answer.pick, 2)), ("２", Reading(Answer.pick, 2)), (" 2 ", Reading(Answer.pick, 2)),
    ("2 好的", Reading(Answer.pick, 2)), ("回2", Reading(Answer.pick, 2)), ("回复 3", Reading(Answer.pick, 3)),
    ("2号", Reading(Answer.pick, 2)), ("①", Reading(Answer.pick, 1)), ("9", Reading(Answer.pick, 9)),
    ("0", Reading(Answer.none_fit, 0)), ("回0", Reading(Answer.none_fit, 0)), ("０ 都不合适", Reading(Answer.none_fit, 0)),
    ("T", Reading(Answer.opt_out)), ("TD", Reading(Answer.opt_out)), ("退订", Reading(Answer.opt_out)),
    ("回T", Reading(Answer.opt_out)), ("ｔｄ", Reading(Answer.opt_out)),
    ("12", Reading(Answer.other)), ("2和3", Reading(Answer.other)), ("好的2", Reading(Answer.other)),
    ("谢谢", Reading(Answer.other)), ("", Reading(Answer.other)), ("2.5万", Reading(Answer.other)),
    ("13900001234", Reading(Answer.other)), ("T2", Reading(Answer.other)), ("   ", Reading(Answer.other))])
def test_what_a_reply_says(content, reading):
    assert read_answer(content) == reading


def test_the_reply_hash_is_keyed_and_the_same_for_every_form_of_a_number():
    key = b"k" * 32
    assert number_hash("13900001234", key=key) == number_hash("+8613900001234", key=key) == number_hash(
        "86 139 0000 1234", key=key)
    assert number_hash("13900001234", key=key) != number_hash("13900001234", key=b"other")
    assert "13900001234" not in number_hash("13900001234", key=key)


def test_the_idempotency_key_is_stable_per_worker_and_set_and_fits_every_provider():
    key = idempotency_key("w-1", "s-1")
    assert key == idempotency_key("w-1", "s-1") != idempotency_key("w-1", "s-2") != idempotency_key("w-2", "s-1")
    assert len(key) == 32 and key.isalnum()


def test_a_contact_never_shows_its_numbers():
    contact = Contact(worker_id="w", phone="13900001234", wechat_openid="oia2TjuEGTNoeX76QEjQNrcURxG8",
                      consent_sms=True, consent_wechat=True, status="seeking")
    assert "13900001234" not in repr(contact) and "oia2" not in repr(contact)


def test_settings_read_the_environment_and_refuse_unknown_providers(monkeypatch, tmp_path):
    monkeypatch.setenv("NOTIFY_SMS_PROVIDERS", "tencent, aliyun")
    monkeypatch.setenv("NOTIFY_QUIET_START", "22:30")
    monkeypatch.setenv("NOTIFY_CONTACTS_BY_REGION", '{"1522": "兴安盟就业服务中心", "152222": "科右中旗就业服务中心"}')
    settings = NotifySettings(data_dir=tmp_path)
    assert settings.sms_order == ["tencent", "aliyun"] and settings.quiet_start == time(22, 30)
    assert settings.contact_for("152222105") == "科右中旗就业服务中心"
    assert settings.contact_for("152201001") == "兴安盟就业服务中心"
    assert settings.contact_for(None) == settings.contact == "所在苏木乡镇就业服务站"
    with pytest.raises(ValueError, match="NOTIFY_TENCENT_SECRET_ID"):
        settings.check_providers()
    monkeypatch.setenv("NOTIFY_SMS_PROVIDERS", "aliyun,sendgrid")
    with pytest.raises(ValueError):
        NotifySettings(data_dir=tmp_path)


def test_the_embedded_defaults_record_messages_and_find_workers_on_this_machine(monkeypatch, tmp_path):
    monkeypatch.delenv("NOTIFY_WORKERS_URL", raising=False)
    monkeypatch.setenv("PORT", "8123")
    settings = NotifySettings(data_dir=tmp_path)
    settings.check_providers()
    assert (settings.sms_order, settings.wechat_provider) == (["recording"], "recording")
    assert settings.workers_base_url == "http://127.0.0.1:8123"
    assert settings.link_for("s-1") is None
    assert NotifySettings(data_dir=tmp_path, wechat_link="https://x/o/{set_id}").link_for("s-1") == "https://x/o/s-1"


def test_the_callback_token_is_made_once_by_processes_starting_together(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from services.notify.settings import load_or_create_callback_token

    with ThreadPoolExecutor(8) as pool:
        tokens = set(pool.map(lambda _: load_or_create_callback_token(tmp_path), range(32)))
    assert len(tokens) == 1 and len(next(iter(tokens))) >= 40
    assert [path.name for path in tmp_path.iterdir()] == ["callback-token"]  # no draft left behind
    assert NotifySettings(data_dir=tmp_path).callback_token in tokens
    assert NotifySettings(data_dir=tmp_path, receipt_token="set-by-the-operator-0001").callback_token == (
        "set-by-the-operator-0001")
    (tmp_path / "callback-token").write_text("\n")
    with pytest.raises(ValueError, match="empty"):
        load_or_create_callback_token(tmp_path)
