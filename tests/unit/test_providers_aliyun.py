"""Our Aliyun SMS client against the fake Aliyun on loopback: sends, signatures, every error class, timeouts."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import partial
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given, strategies as st

from services.notify.compose import compose_sms
from services.notify.vendors import aliyun
from services.notify.vendors.base import ErrorKind
from shared.clock import FixedClock
from tests.fakes.aliyun import FakeAliyun
from tests.fakes.callback import ReceiptInbox
from tests.unit import sms_sending as sending
from tests.unit.sms_sending import PHONE, client  # noqa: F401 - client: a fixture

SMS = compose_sms([{"title": "保洁员", "employer": "", "region_code": "110105", "region_name": "朝阳区",
                    "wage_min": 5000, "wage_max": 6500, "meals": True, "lodging": True}], contact="站0482-8261234")

pytest_plugins = ["tests.fakes.fixtures"]

send = partial(sending.send, sms=SMS)
failure = partial(sending.failure, sms=SMS)


async def test_send_returns_the_biz_id_and_the_fake_renders_our_text(fake_aliyun, client):
    result = await send(fake_aliyun.provider(client))
    assert (result.provider, result.status, result.raw_code) == ("aliyun", "sent", "OK")
    assert [(m.to, m.key, m.message_id, m.text, m.params) for m in fake_aliyun.sent] == [
        (PHONE, "w1:s1", result.provider_message_id, SMS.text, dict(SMS.params))]


@pytest.mark.parametrize(("override", "code"), [({"access_key_secret": "wrong"}, "SignatureDoesNotMatch"),
                                                ({"access_key_id": "LTAI-unknown"}, "InvalidAccessKeyId.NotFound")])
async def test_bad_credentials_are_rejected_by_the_fake_and_mean_provider_down(fake_aliyun, client, override, code):
    error = await failure(fake_aliyun.provider(client, **override))
    assert (error.kind, error.code, error.maybe_sent) == (ErrorKind.provider_down, code, False)
    assert fake_aliyun.sent == []


async def test_a_clock_far_off_is_rejected_as_an_expired_timestamp(fake_aliyun, client):
    skewed = FixedClock(datetime(2020, 1, 1, tzinfo=timezone.utc))
    error = await failure(fake_aliyun.provider(client, clock=skewed))
    assert (error.kind, error.code) == (ErrorKind.provider_down, "InvalidTimeStamp.Expired")


async def test_the_fake_refuses_a_replayed_nonce(fake_aliyun, client):
    query = aliyun.canonical_query({"PhoneNumbers": PHONE, "SignName": fake_aliyun.sign_name,
                                    "TemplateCode": fake_aliyun.template_code,
                                    "TemplateParam": SMS.aliyun_template_param()})
    headers = {"host": fake_aliyun.url.removeprefix("http://"), "x-acs-action": "SendSms",
               "x-acs-version": "2017-05-25", "x-acs-date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "x-acs-signature-nonce": "same-nonce", "x-acs-content-sha256": aliyun.EMPTY_BODY_SHA256}
    headers["Authorization"] = aliyun.authorization(
        method="POST", query=query, headers=headers, payload_sha256=aliyun.EMPTY_BODY_SHA256,
        access_key_id=fake_aliyun.access_key_id, access_key_secret=fake_aliyun.access_key_secret)
    first = await client.post(f"{fake_aliyun.url}/?{query}", headers=headers)
    replay = await client.post(f"{fake_aliyun.url}/?{query}", headers=headers)
    assert first.json()["Code"] == "OK"
    assert (replay.status_code, replay.json()["Code"]) == (400, "SignatureNonceUsed")
    assert aliyun.classify("SignatureNonceUsed", http_status=400) is ErrorKind.transient


@pytest.mark.parametrize("stamp", ["2026-13-01T00:00:00Z", "2026-12-05 03:00:00", ""])
async def test_the_fake_refuses_a_timestamp_not_in_the_acs3_form(fake_aliyun, client, stamp):
    headers = {"x-acs-action": "SendSms", "x-acs-version": "2017-05-25", "x-acs-date": stamp,
               "x-acs-signature-nonce": "n1", "x-acs-content-sha256": aliyun.EMPTY_BODY_SHA256}
    headers["Authorization"] = aliyun.authorization(
        method="POST", query="", headers=headers | {"host": fake_aliyun.url.removeprefix("http://")},
        payload_sha256=aliyun.EMPTY_BODY_SHA256, access_key_id=fake_aliyun.access_key_id,
        access_key_secret=fake_aliyun.access_key_secret)
    answer = await client.post(f"{fake_aliyun.url}/", headers=headers)
    assert (answer.status_code, answer.json()["Code"]) == (400, "InvalidTimeStamp.Expired")
    assert "not well formatted" in answer.json()["Message"] and fake_aliyun.sent == []


@pytest.mark.parametrize(("code", "kind"), [
    ("isp.SYSTEM_ERROR", ErrorKind.transient),
    ("isv.BUSINESS_LIMIT_CONTROL", ErrorKind.rate_limited),
    ("isv.DAY_LIMIT_CONTROL", ErrorKind.rate_limited),
    ("isv.MONTH_LIMIT_CONTROL", ErrorKind.rate_limited),
    ("isv.MOBILE_NUMBER_ILLEGAL", ErrorKind.permanent_request),
    ("isv.TEMPLATE_MISSING_PARAMETERS", ErrorKind.permanent_request),
    ("isv.INVALID_JSON_PARAM", ErrorKind.permanent_request),
    ("isv.SMS_TEMPLATE_ILLEGAL", ErrorKind.permanent_request),
    ("isv.SMS_SIGNATURE_ILLEGAL", ErrorKind.permanent_request),
    ("isv.PARAM_LENGTH_LIMIT", ErrorKind.permanent_request),
    ("isv.PARAM_NOT_SUPPORT_URL", ErrorKind.permanent_request),
    ("isv.BLACK_KEY_CONTROL_LIMIT", ErrorKind.permanent_request),
    ("isv.MOBILE_COUNT_OVER_LIMIT", ErrorKind.permanent_request),
    ("isv.AMOUNT_NOT_ENOUGH", ErrorKind.provider_down),
    ("isv.OUT_OF_SERVICE", ErrorKind.provider_down),
    ("isp.RAM_PERMISSION_DENY", ErrorKind.provider_down),
    ("Forbidden.RAM", ErrorKind.provider_down),
    ("Throttling.User", ErrorKind.rate_limited),
])
async def test_each_error_class_maps_to_its_kind(fake_aliyun, client, code, kind):
    fake_aliyun.fail_next(code=code)
    error = await failure(fake_aliyun.provider(client))
    assert (error.kind, error.code, error.provider) == (kind, code, "aliyun")
    assert (error.retry_after is not None) == (kind is ErrorKind.rate_limited)
    assert fake_aliyun.sent == []


@pytest.mark.parametrize(("message", "seconds"), [("触发分钟级流控Permits:1", 30), ("触发小时级流控Permits:5", 1830),
                                                  ("触发天级流控Permits:10", 86400)])
async def test_rate_limits_defer_to_the_end_of_their_window(client, message, seconds):
    clock = FixedClock(datetime(2026, 3, 1, 1, 29, 30, tzinfo=timezone.utc))  # 09:29:30 in Beijing
    async with FakeAliyun(clock=clock) as fake:
        fake.fail_next(code="isv.BUSINESS_LIMIT_CONTROL", message=message)
        error = await failure(fake.provider(client))
    assert error.retry_after == seconds


async def test_the_per_number_daily_limit_of_the_fake(client):
    async with FakeAliyun(daily_limit=2) as fake:
        provider = fake.provider(client)
        await send(provider, key="a")
        await send(provider, key="b")
        error = await failure(provider, key="c")
        await send(provider, phone="13912345679", key="d")  # another number is not limited
    assert (error.kind, error.code, error.retry_after) == (ErrorKind.rate_limited, "isv.BUSINESS_LIMIT_CONTROL", 86400)
    assert [m.key for m in fake.sent] == ["a", "b", "d"]


async def test_the_fake_checks_numbers_and_template_parameters(fake_aliyun, client):
    provider = fake_aliyun.provider(client)
    assert (await failure(provider, phone="12345")).code == "isv.MOBILE_NUMBER_ILLEGAL"
    missing = {k: v for k, v in SMS.params.items() if k != "contact"}
    assert (await failure(provider, params=missing)).code == "isv.TEMPLATE_MISSING_PARAMETERS"
    with_url = {**SMS.params, "contact": "https://x.cn"}
    assert (await failure(provider, params=with_url)).code == "isv.PARAM_NOT_SUPPORT_URL"


async def test_5xx_is_transient_and_maybe_sent(fake_aliyun, client):
    fake_aliyun.fail_next(status=503)
    error = await failure(fake_aliyun.provider(client))
    assert (error.kind, error.code, error.maybe_sent) == (ErrorKind.transient, "ServiceUnavailable", True)


async def test_a_timeout_is_transient_and_the_query_shows_nothing_was_sent(fake_aliyun, client):
    fake_aliyun.fail_next(timeout=True)
    provider = fake_aliyun.provider(client)
    error = await failure(provider, key="w1:s1")
    assert (error.kind, error.code, error.maybe_sent) == (ErrorKind.transient, "ReadTimeout", True)
    assert await provider.query_send_details(phone=PHONE, out_id="w1:s1") == []


async def test_a_timeout_after_acceptance_is_found_by_its_out_id_so_it_is_not_sent_again(fake_aliyun, client):
    provider = fake_aliyun.provider(client)
    await send(provider, key="w1:s0")
    fake_aliyun.fail_next(timeout=True, accept=True)
    error = await failure(provider, key="w1:s1")
    assert error.kind is ErrorKind.transient and error.maybe_sent
    found = await provider.query_send_details(phone=PHONE, out_id="w1:s1")
    assert [(d.phone, d.out_id, d.status, d.content) for d in found] == [(PHONE, "w1:s1", "waiting", SMS.text)]
    assert len(await provider.query_send_details(phone=PHONE)) == 2


async def test_query_send_details_reads_every_page_and_filters_by_biz_id(client):
    async with FakeAliyun(daily_limit=100) as fake:
        provider = fake.provider(client)
        results = [await send(provider, key=f"k{n}") for n in range(57)]
        every = await provider.query_send_details(phone=PHONE)
        one = await provider.query_send_details(phone=PHONE, biz_id=results[3].provider_message_id)
    assert [d.out_id for d in every] == [f"k{n}" for n in range(57)]
    assert [d.out_id for d in one] == ["k3"]


async def test_the_down_switch_fails_every_send_until_cleared(fake_aliyun, client):
    provider = fake_aliyun.provider(client)
    fake_aliyun.down = "isv.AMOUNT_NOT_ENOUGH"
    assert (await failure(provider)).kind is ErrorKind.provider_down
    fake_aliyun.down = "InvalidAccessKeyId.NotFound"
    assert (await failure(provider)).kind is ErrorKind.provider_down
    fake_aliyun.down = None
    assert (await send(provider)).status == "sent"


async def test_receipts_are_pushed_as_an_sms_report_array_and_show_in_the_query(fake_aliyun, client):
    provider = fake_aliyun.provider(client)
    first, second = await send(provider, key="a"), await send(provider, phone="13912345679", key="b")
    inbox = ReceiptInbox()
    [answer] = await fake_aliyun.push_receipts("http://callback/receipts/aliyun", client=inbox.client,
                                               only=[first.provider_message_id])
    [failed] = await fake_aliyun.push_receipts("http://callback/receipts/aliyun", client=inbox.client,
                                               delivered=False, err_code="MK:0004")
    assert fake_aliyun.receipt_acknowledged(answer) and fake_aliyun.receipt_acknowledged(failed)
    reports = [json.loads(body) for body in inbox.bodies["aliyun"]]
    assert [(r["biz_id"], r["out_id"], r["success"], r["err_code"], r["phone_number"]) for [r] in reports] == [
        (first.provider_message_id, "a", True, "DELIVERED", PHONE),
        (second.provider_message_id, "b", False, "MK:0004", "13912345679")]
    assert [d.status for d in await provider.query_send_details(phone=PHONE)] == ["delivered"]
    assert await fake_aliyun.push_receipts("http://callback/receipts/aliyun", client=inbox.client) == []


async def test_an_unreachable_endpoint_is_transient_and_not_sent(client):
    provider = aliyun.AliyunSms(access_key_id="a", access_key_secret="s", sign_name="兴安就业", template_code="T",
                                client=client, endpoint="http://127.0.0.1:9")
    error = await failure(provider)
    assert (error.kind, error.maybe_sent) == (ErrorKind.transient, False)


@pytest.mark.parametrize("fail", [{}, {"status": 503}, {"timeout": True}])
async def test_a_client_of_plain_httpx_sends_and_fails_as_notifys_pooled_client_does(fake_aliyun, client, fail):
    """The vendors call the pool of notify's client directly, and any other httpx client through httpx: same answers."""
    answers = []
    async with httpx.AsyncClient(timeout=2.0) as plain:
        for each in (client, plain):
            if fail:
                fake_aliyun.fail_next(**fail)
                error = await failure(fake_aliyun.provider(each))
                answers.append((error.kind, error.code, error.maybe_sent))
            else:
                answers.append((await send(fake_aliyun.provider(each))).status)
    assert answers[0] == answers[1]
    assert len(fake_aliyun.sent) == (0 if fail else 2)


def test_classification_of_codes_without_a_table_entry():
    assert aliyun.classify("isp.GATEWAY_ERROR") is ErrorKind.transient
    assert aliyun.classify("isv.SOMETHING_NEW") is ErrorKind.permanent_request
    assert aliyun.classify("InternalError", http_status=500) is ErrorKind.transient
    assert aliyun.classify("MissingParameter", http_status=400) is ErrorKind.permanent_request


@given(st.text())
def test_our_percent_encoding_is_urllibs_quote_with_only_the_tilde_safe(text):
    # The encoding ACS3 signs (and the SDK writes) is quote(…, safe='~'); ours encodes a run of bytes at a time.
    assert aliyun.percent_encoded(text) == quote(text, safe="~")
