"""Our Tencent SMS client against the fake Tencent on loopback: sends, TC3 signatures, every error class, opt-out."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from functools import partial

import pytest

from services.notify.compose import compose_sms
from services.notify.vendors import tencent
from services.notify.vendors.base import ErrorKind, ProviderError
from shared.clock import FixedClock
from tests.fakes.callback import ReceiptInbox
from tests.fakes.tencent import FakeTencent
from tests.unit import sms_sending as sending
from tests.unit.sms_sending import PHONE, client  # noqa: F401 - client: a fixture

SMS = compose_sms([{"title": "电焊工", "employer": "", "region_code": "152201", "region_name": "乌兰浩特市",
                    "wage_min": 4000, "wage_max": 5500, "meals": True, "lodging": False}], contact="站0482-8261234")

pytest_plugins = ["tests.fakes.fixtures"]

send = partial(sending.send, sms=SMS)
failure = partial(sending.failure, sms=SMS)


async def test_send_returns_the_serial_number_and_the_fake_renders_our_text(fake_tencent, client):
    result = await send(fake_tencent.provider(client))
    assert (result.provider, result.status, result.raw_code) == ("tencent", "sent", "Ok")
    assert [(m.to, m.key, m.message_id, m.text, m.params) for m in fake_tencent.sent] == [
        (f"+86{PHONE}", "w1:s1", result.provider_message_id, SMS.text, SMS.tencent_template_param_set())]


@pytest.mark.parametrize(("override", "code"), [({"secret_key": "wrong"}, "AuthFailure.SignatureFailure"),
                                                ({"secret_id": "AKIDunknown"}, "AuthFailure.SecretIdNotFound")])
async def test_bad_credentials_are_rejected_by_the_fake_and_mean_provider_down(fake_tencent, client, override, code):
    error = await failure(fake_tencent.provider(client, **override))
    assert (error.kind, error.code) == (ErrorKind.provider_down, code)
    assert fake_tencent.sent == []


async def test_a_stale_timestamp_is_rejected(fake_tencent, client):
    late = FixedClock(datetime.now(timezone.utc) - timedelta(minutes=10))
    error = await failure(fake_tencent.provider(client, clock=late))
    assert (error.kind, error.code) == (ErrorKind.provider_down, "AuthFailure.SignatureExpire")


async def test_a_blacklisted_number_means_the_user_opted_out(fake_tencent, client):
    fake_tencent.blacklist.add(f"+86{PHONE}")
    error = await failure(fake_tencent.provider(client))
    assert (error.kind, error.opted_out) == (ErrorKind.permanent_user, True)
    assert error.code == "FailedOperation.PhoneNumberInBlacklist"


CODES = [
    ("InternalError.Timeout", ErrorKind.transient),
    ("InternalError.SendAndRecvFail", ErrorKind.transient),
    ("InternalError.OtherError", ErrorKind.transient),
    ("RequestLimitExceeded", ErrorKind.transient),
    ("LimitExceeded.PhoneNumberThirtySecondLimit", ErrorKind.rate_limited),
    ("LimitExceeded.PhoneNumberOneHourLimit", ErrorKind.rate_limited),
    ("LimitExceeded.PhoneNumberDailyLimit", ErrorKind.rate_limited),
    ("LimitExceeded.PhoneNumberSameContentDailyLimit", ErrorKind.rate_limited),
    ("LimitExceeded.DeliveryFrequencyLimit", ErrorKind.rate_limited),
    ("InvalidParameterValue.IncorrectPhoneNumber", ErrorKind.permanent_request),
    ("InvalidParameterValue.ContentLengthLimit", ErrorKind.permanent_request),
    ("InvalidParameterValue.ProhibitedUseUrlInTemplateParameter", ErrorKind.permanent_request),
    ("FailedOperation.TemplateIncorrectOrUnapproved", ErrorKind.permanent_request),
    ("FailedOperation.SignatureIncorrectOrUnapproved", ErrorKind.permanent_request),
    ("FailedOperation.TemplateParamSetNotMatchApprovedTemplate", ErrorKind.permanent_request),
    ("FailedOperation.PhoneNumberInBlacklist", ErrorKind.permanent_user),
    ("FailedOperation.InsufficientBalanceInSmsPackage", ErrorKind.provider_down),
    ("AuthFailure.SecretIdNotFound", ErrorKind.provider_down),
    ("UnauthorizedOperation.SmsSdkAppIdVerifyFail", ErrorKind.provider_down),
]


@pytest.mark.parametrize(("code", "kind"), CODES)
async def test_each_error_class_maps_to_its_kind(fake_tencent, client, code, kind):
    fake_tencent.fail_next(code=code)
    error = await failure(fake_tencent.provider(client))
    assert (error.kind, error.code, error.provider) == (kind, code, "tencent")
    assert (error.retry_after is not None) == (kind is ErrorKind.rate_limited or code == "RequestLimitExceeded")
    assert fake_tencent.sent == []


@pytest.mark.parametrize("code", ["LimitExceeded.PhoneNumberDailyLimit",
                                  "FailedOperation.InsufficientBalanceInSmsPackage"])
def test_request_level_and_per_number_codes_classify_alike(code):
    assert tencent.classify(code) is dict(CODES)[code]


async def test_per_number_limits_of_the_fake_defer_to_their_window_end(client):
    clock = FixedClock(datetime(2026, 3, 1, 2, 0, 0, tzinfo=timezone.utc))  # 10:00 in Beijing
    async with FakeTencent(daily_limit=2, clock=clock) as fake:
        provider = fake.provider(client)
        await send(provider, key="a")
        thirty = await failure(provider, key="b")
        clock.advance(seconds=31)
        await send(provider, key="c")
        clock.advance(seconds=31)
        daily = await failure(provider, key="d")
        await send(provider, phone="13912345679", key="e")
    assert (thirty.code, thirty.retry_after) == ("LimitExceeded.PhoneNumberThirtySecondLimit", 30)
    assert (daily.code, daily.retry_after) == ("LimitExceeded.PhoneNumberDailyLimit", 14 * 3600 - 62)
    assert [m.key for m in fake.sent] == ["a", "c", "e"]


async def test_the_fake_checks_template_parameters_and_numbers(fake_tencent, client):
    provider = fake_tencent.provider(client)
    short = dict(list(SMS.params.items())[:3])
    assert (await failure(provider, params=short)).code == "FailedOperation.TemplateParamSetNotMatchApprovedTemplate"
    assert (await failure(provider, phone="1234")).code == "InvalidParameterValue.IncorrectPhoneNumber"
    assert (await failure(provider, params={**SMS.params, "contact": "www.x.cn"})).kind is ErrorKind.permanent_request


async def test_5xx_and_timeouts_are_transient(fake_tencent, client):
    provider = fake_tencent.provider(client)
    fake_tencent.fail_next(status=502)
    bad_gateway = await failure(provider)
    fake_tencent.fail_next(timeout=True)
    timed_out = await failure(provider)
    assert (bad_gateway.kind, bad_gateway.code, bad_gateway.maybe_sent) == (ErrorKind.transient, "ServerNetworkError",
                                                                           True)
    assert (timed_out.kind, timed_out.code, timed_out.maybe_sent) == (ErrorKind.transient, "ClientNetworkError", True)
    assert fake_tencent.sent == []


async def test_a_timeout_after_acceptance_leaves_one_message_at_the_fake(fake_tencent, client):
    fake_tencent.fail_next(timeout=True, accept=True)
    error = await failure(fake_tencent.provider(client), key="w1:s1")
    assert error.maybe_sent and [m.key for m in fake_tencent.sent] == ["w1:s1"]


async def test_the_down_switch(fake_tencent, client):
    provider = fake_tencent.provider(client)
    fake_tencent.down = "FailedOperation.InsufficientBalanceInSmsPackage"
    assert (await failure(provider)).kind is ErrorKind.provider_down
    fake_tencent.down = None
    assert (await send(provider)).status == "sent"


async def test_receipts_are_pushed_as_a_callback_array(fake_tencent, client):
    result = await send(fake_tencent.provider(client))
    inbox = ReceiptInbox()
    [answer] = await fake_tencent.push_receipts("http://callback/receipts/tencent", client=inbox.client)
    assert fake_tencent.receipt_acknowledged(answer)
    [report] = json.loads(inbox.bodies["tencent"][0])
    assert (report["sid"], report["mobile"], report["nationcode"], report["report_status"], report["errmsg"]) == (
        result.provider_message_id, PHONE, "86", "SUCCESS", "DELIVRD")


def test_numbers_are_sent_in_e164():
    assert tencent.e164("13912345678") == "+8613912345678" and tencent.e164("+8613912345678") == "+8613912345678"


# --- PullSmsSendStatusByPhoneNumber: what Tencent knows about a number's messages once their carriers reported ---
PULL = "PullSmsSendStatusByPhoneNumber"
NOON = datetime(2026, 3, 1, 4, 0, 0, tzinfo=timezone.utc)  # 12:00 in Beijing


async def test_the_pull_lists_reported_messages_with_our_session_context(client):
    clock = FixedClock(NOON)
    inbox = ReceiptInbox()
    async with FakeTencent(clock=clock) as fake:
        provider = fake.provider(client)
        delivered = await send(provider, key="w1:s1")
        clock.advance(seconds=31)
        failed = await send(provider, key="w1:s2")
        clock.advance(seconds=31)
        await send(provider, key="w1:s3")  # accepted, its carrier has not reported yet
        await send(provider, phone="13912345679", key="w2:s1")  # another number
        await fake.push_receipts("http://callback/receipts/tencent", client=inbox.client,
                                 only=[delivered.provider_message_id, fake.sent[-1].message_id])
        clock.advance(seconds=5)
        await fake.push_receipts("http://callback/receipts/tencent", client=inbox.client, delivered=False,
                                 errmsg="MK:0004", only=[failed.provider_message_id])
        every = await provider.pull_send_status(phone=PHONE, begin=NOON - timedelta(hours=1), end=clock.now())
        mine = await provider.pull_send_status(phone=PHONE, begin=NOON, end=clock.now(), session_context="w1:s2")
    assert [(r.session_context, r.serial_no, r.status, r.description) for r in every] == [
        ("w1:s1", delivered.provider_message_id, "delivered", "DELIVRD"),
        ("w1:s2", failed.provider_message_id, "failed", "MK:0004")]
    assert every[1].received_at == clock.now()
    assert [r.serial_no for r in mine] == [failed.provider_message_id]


async def test_the_pull_reaches_only_between_its_begin_and_end(client):
    clock = FixedClock(NOON)
    inbox = ReceiptInbox()
    async with FakeTencent(clock=clock) as fake:
        provider = fake.provider(client)
        await send(provider, key="morning")
        clock.advance(hours=2)
        await send(provider, key="afternoon")
        await fake.push_receipts("http://callback/receipts/tencent", client=inbox.client)
        later = await provider.pull_send_status(phone=PHONE, begin=NOON + timedelta(hours=1), end=clock.now())
        earlier = await provider.pull_send_status(phone=PHONE, begin=NOON - timedelta(days=30),
                                                  end=NOON + timedelta(hours=1))
    assert [r.session_context for r in later] == ["afternoon"]
    assert [r.session_context for r in earlier] == ["morning"]  # asked from 30 days back: the client asks for 7


@pytest.mark.parametrize(("code", "kind"), [("RequestLimitExceeded", ErrorKind.transient),
                                            ("InternalError.Timeout", ErrorKind.transient),
                                            ("AuthFailure.UnauthorizedOperation", ErrorKind.provider_down),
                                            ("InvalidParameterValue", ErrorKind.permanent_request)])
async def test_pull_errors_are_classified_like_send_errors(fake_tencent, client, code, kind):
    fake_tencent.fail_next(code=code, action=PULL)
    with pytest.raises(ProviderError) as caught:
        await fake_tencent.provider(client).pull_send_status(phone=PHONE, begin=datetime.now(timezone.utc),
                                                             end=datetime.now(timezone.utc))
    assert (caught.value.kind, caught.value.code, caught.value.maybe_sent) == (kind, code, False)


async def test_a_pull_signed_with_a_wrong_key_or_lost_is_an_error_that_sent_nothing(fake_tencent, client):
    now = datetime.now(timezone.utc)
    with pytest.raises(ProviderError) as wrong:
        await fake_tencent.provider(client, secret_key="wrong").pull_send_status(phone=PHONE, begin=now, end=now)
    fake_tencent.fail_next(timeout=True, action=PULL)
    with pytest.raises(ProviderError) as lost:
        await fake_tencent.provider(client).pull_send_status(phone=PHONE, begin=now, end=now)
    assert (wrong.value.kind, wrong.value.code) == (ErrorKind.provider_down, "AuthFailure.SignatureFailure")
    assert (lost.value.kind, lost.value.code, lost.value.maybe_sent) == (ErrorKind.transient, "ClientNetworkError",
                                                                         False)
    assert fake_tencent.calls == {PULL: 1}  # the wrong signature is refused before the action is counted
