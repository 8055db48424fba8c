"""The official Aliyun and Tencent SDKs, pointed at the fake servers, get the answers they expect.

Development-only proof that the fakes speak the real format and check signatures the real way (the SDKs sign with
their own code); and that our own signers compute what the SDKs compute. The SDKs are synchronous: they run in a
thread while the fakes serve.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from types import SimpleNamespace

import pytest

from services.notify.compose import compose_sms
from services.notify.vendors import aliyun, tencent
from shared.clock import LOCAL_ZONE
from tests.fakes.callback import ReceiptInbox

pytestmark = pytest.mark.integration

MISSING = "{} is not installed: it is a dev extra of pyproject.toml (make install puts it in .venv)"
dysms = pytest.importorskip("alibabacloud_dysmsapi20170525.client",
                            reason=MISSING.format("alibabacloud-dysmsapi20170525"))
dysms_models = pytest.importorskip("alibabacloud_dysmsapi20170525.models")
open_api = pytest.importorskip("alibabacloud_tea_openapi.models")
tea_exceptions = pytest.importorskip("alibabacloud_tea_openapi.exceptions")
tea_utils = pytest.importorskip("alibabacloud_tea_openapi.utils")
tc_credential = pytest.importorskip("tencentcloud.common.credential",
                                    reason=MISSING.format("tencentcloud-sdk-python-sms"))
tc_exception = pytest.importorskip("tencentcloud.common.exception.tencent_cloud_sdk_exception")
tc_profile = pytest.importorskip("tencentcloud.common.profile.client_profile")
tc_http_profile = pytest.importorskip("tencentcloud.common.profile.http_profile")
tc_sign = pytest.importorskip("tencentcloud.common.sign")
tc_sms = pytest.importorskip("tencentcloud.sms.v20210111.sms_client")
tc_models = pytest.importorskip("tencentcloud.sms.v20210111.models")

PHONE = "13912345678"
ITEMS = [{"title": "保洁员", "employer": "北京安居家政服务有限公司", "region_code": "110105", "region_name": "朝阳区",
          "wage_min": 5000, "wage_max": 6500, "meals": True, "lodging": True}]
SMS = compose_sms(ITEMS, contact="乌兰浩特就业站0482-8261234")

pytest_plugins = ["tests.fakes.fixtures"]


def aliyun_client(fake, *, secret: str | None = None):
    config = open_api.Config(access_key_id=fake.access_key_id, access_key_secret=secret or fake.access_key_secret,
                             endpoint=fake.url.removeprefix("http://"), protocol="http")
    return dysms.Client(config)


def aliyun_send(fake, *, secret: str | None = None, out_id: str = "set-1"):
    request = dysms_models.SendSmsRequest(phone_numbers=PHONE, sign_name=fake.sign_name,
                                          template_code=fake.template_code,
                                          template_param=SMS.aliyun_template_param(), out_id=out_id)
    return aliyun_client(fake, secret=secret).send_sms(request)


async def test_aliyun_sdk_sends_and_the_fake_records_the_rendered_text(fake_aliyun):
    response = await asyncio.to_thread(aliyun_send, fake_aliyun)
    assert response.status_code == 200
    assert response.body.code == "OK" and response.body.biz_id.endswith("^0")
    assert [(m.to, m.key, m.text) for m in fake_aliyun.sent] == [(PHONE, "set-1", SMS.text)]


async def test_aliyun_sdk_with_a_wrong_secret_gets_signature_does_not_match(fake_aliyun):
    with pytest.raises(tea_exceptions.ClientException) as caught:
        await asyncio.to_thread(aliyun_send, fake_aliyun, secret="not-the-secret")
    assert caught.value.status_code == 400 and caught.value.code == "SignatureDoesNotMatch"
    assert fake_aliyun.sent == []


async def test_aliyun_sdk_reads_a_business_error_from_an_http_200(fake_aliyun):
    fake_aliyun.fail_next(code="isv.BUSINESS_LIMIT_CONTROL")
    response = await asyncio.to_thread(aliyun_send, fake_aliyun)
    assert response.status_code == 200 and response.body.code == "isv.BUSINESS_LIMIT_CONTROL"
    assert "流控" in response.body.message


async def test_aliyun_sdk_raises_server_exception_on_5xx(fake_aliyun):
    fake_aliyun.fail_next(status=503)
    with pytest.raises(tea_exceptions.ServerException) as caught:
        await asyncio.to_thread(aliyun_send, fake_aliyun)
    assert caught.value.status_code == 503 and caught.value.code == "ServiceUnavailable"


async def test_aliyun_sdk_queries_send_details(fake_aliyun):
    sent = await asyncio.to_thread(aliyun_send, fake_aliyun, out_id="set-9")
    day = fake_aliyun.sent[0].at.astimezone(LOCAL_ZONE).strftime("%Y%m%d")
    request = dysms_models.QuerySendDetailsRequest(phone_number=PHONE, send_date=day, page_size=10, current_page=1,
                                                   biz_id=sent.body.biz_id)
    response = await asyncio.to_thread(aliyun_client(fake_aliyun).query_send_details, request)
    rows = response.body.sms_send_detail_dtos.sms_send_detail_dto
    assert response.body.code == "OK" and int(response.body.total_count) == 1
    assert (rows[0].phone_num, rows[0].out_id, rows[0].send_status, rows[0].content) == (PHONE, "set-9", 1, SMS.text)


async def test_aliyun_sdk_sends_a_batch_as_a_form_and_the_fake_records_each_number(fake_aliyun):
    """SendBatchSms as the SDK writes it (the three arrays in a form body, signed by its hash) is what the fake
    reads; our client writes the same (tests/unit/test_providers_aliyun_batch.py)."""
    other = compose_sms([{**ITEMS[0], "title": "司机"}], contact="乌兰浩特就业站0482-8261234")
    request = dysms_models.SendBatchSmsRequest(
        phone_number_json=json.dumps([PHONE, "13912345679"]),
        sign_name_json=json.dumps([fake_aliyun.sign_name] * 2, ensure_ascii=False),
        template_code=fake_aliyun.template_code,
        template_param_json=f"[{SMS.aliyun_template_param()},{other.aliyun_template_param()}]")
    response = await asyncio.to_thread(aliyun_client(fake_aliyun).send_batch_sms, request)
    assert response.status_code == 200 and response.body.code == "OK"
    assert [(m.to, m.text, m.message_id) for m in fake_aliyun.sent] == [
        (PHONE, SMS.text, response.body.biz_id), ("13912345679", other.text, response.body.biz_id)]


def tencent_client(fake, *, key: str | None = None):
    profile = tc_profile.ClientProfile(httpProfile=tc_http_profile.HttpProfile(
        protocol="http", endpoint=fake.url.removeprefix("http://")))
    return tc_sms.SmsClient(tc_credential.Credential(fake.secret_id, key or fake.secret_key), "ap-guangzhou", profile)


def tencent_send(fake, *, key: str | None = None, phone: str = PHONE):
    request = tc_models.SendSmsRequest()
    request.PhoneNumberSet, request.SmsSdkAppId = [f"+86{phone}"], fake.sdk_app_id
    request.SignName, request.TemplateId = fake.sign_name, fake.template_id
    request.TemplateParamSet, request.SessionContext = SMS.tencent_template_param_set(), "set-1"
    return tencent_client(fake, key=key).SendSms(request)


async def test_tencent_sdk_sends_and_the_fake_records_the_rendered_text(fake_tencent):
    response = await asyncio.to_thread(tencent_send, fake_tencent)
    status = response.SendStatusSet[0]
    assert (status.Code, status.SessionContext, status.PhoneNumber) == ("Ok", "set-1", f"+86{PHONE}")
    assert status.SerialNo and status.Fee == SMS.segments
    assert [(m.to, m.key, m.text) for m in fake_tencent.sent] == [(f"+86{PHONE}", "set-1", SMS.text)]


async def test_tencent_sdk_with_a_wrong_key_gets_auth_failure(fake_tencent):
    with pytest.raises(tc_exception.TencentCloudSDKException) as caught:
        await asyncio.to_thread(tencent_send, fake_tencent, key="not-the-key")
    assert caught.value.get_code() == "AuthFailure.SignatureFailure"
    assert fake_tencent.sent == []


async def test_tencent_sdk_reads_a_per_number_failure_from_send_status(fake_tencent):
    fake_tencent.blacklist.add(f"+86{PHONE}")
    response = await asyncio.to_thread(tencent_send, fake_tencent)
    status = response.SendStatusSet[0]
    assert (status.Code, status.SerialNo, status.Fee) == ("FailedOperation.PhoneNumberInBlacklist", "", 0)


async def test_tencent_sdk_raises_on_a_request_level_error(fake_tencent):
    fake_tencent.down = "FailedOperation.InsufficientBalanceInSmsPackage"
    with pytest.raises(tc_exception.TencentCloudSDKException) as caught:
        await asyncio.to_thread(tencent_send, fake_tencent)
    assert caught.value.get_code() == "FailedOperation.InsufficientBalanceInSmsPackage"


async def test_tencent_sdk_pulls_the_reported_status_with_our_session_context(fake_tencent):
    await asyncio.to_thread(tencent_send, fake_tencent)
    inbox = ReceiptInbox()
    await fake_tencent.push_receipts("http://callback/receipts/tencent", client=inbox.client)
    request = tc_models.PullSmsSendStatusByPhoneNumberRequest()
    sent_at = int(fake_tencent.sent[0].at.timestamp())
    request.BeginTime, request.EndTime, request.Offset, request.Limit = sent_at - 60, sent_at + 60, 0, 100
    request.PhoneNumber, request.SmsSdkAppId = f"+86{PHONE}", fake_tencent.sdk_app_id
    response = await asyncio.to_thread(tencent_client(fake_tencent).PullSmsSendStatusByPhoneNumber, request)
    [row] = response.PullSmsSendStatusSet
    assert (row.SessionContext, row.SerialNo, row.ReportStatus, row.Description, row.PhoneNumber, row.CountryCode,
            row.SubscriberNumber) == ("set-1", fake_tencent.sent[0].message_id, "SUCCESS", "DELIVRD", f"+86{PHONE}",
                                      "86", PHONE)
    assert isinstance(row.UserReceiveTime, int) and response.RequestId


def test_our_acs3_signature_is_the_sdks():
    query = {"PhoneNumbers": PHONE, "SignName": "兴安就业", "TemplateParam": SMS.aliyun_template_param(),
             "OutId": "a b+c~"}
    headers = {"host": "dysmsapi.aliyuncs.com", "x-acs-action": "SendSms", "x-acs-version": "2017-05-25",
               "x-acs-date": "2026-03-01T00:00:00Z", "x-acs-signature-nonce": "n1",
               "x-acs-content-sha256": aliyun.EMPTY_BODY_SHA256}
    ours = aliyun.authorization(method="POST", query=aliyun.canonical_query(query), headers=headers,
                                payload_sha256=aliyun.EMPTY_BODY_SHA256, access_key_id="AK", access_key_secret="SK")
    request = SimpleNamespace(pathname="/", method="POST", query=query, headers=headers)
    assert ours == tea_utils.Utils.get_authorization(request, "ACS3-HMAC-SHA256", aliyun.EMPTY_BODY_SHA256, "AK", "SK")


def test_our_tc3_key_derivation_is_the_sdks():
    to_sign = "TC3-HMAC-SHA256\n1772323200\n2026-03-01/sms/tc3_request\n" + hashlib.sha256(b"x").hexdigest()
    ours = hmac.new(tencent.signing_key("SK", "2026-03-01"), to_sign.encode(), hashlib.sha256).hexdigest()
    assert ours == tc_sign.Sign.sign_tc3("SK", "2026-03-01", "sms", to_sign)
