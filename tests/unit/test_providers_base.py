"""The provider protocol's shared pieces: the recording provider, quota windows, the one HTTP client factory."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest

from services.notify.compose import compose_sms, compose_wechat
from services.notify.vendors.base import (
    ErrorKind,
    ProviderError,
    SendResult,
    SmsVendor,
    WechatVendor,
    seconds_until,
)
from services.notify.vendors.http import provider_client
from services.notify.vendors.recording import RecordingProvider
from shared.clock import FixedClock

ITEMS = [{"title": "护林员", "region_code": "152221", "region_name": "科尔沁右翼前旗", "wage_min": 2200,
          "wage_max": 2200}]


async def test_the_recorder_keeps_sms_and_wechat_messages_in_order():
    clock = FixedClock(datetime(2026, 3, 1, 1, 0, tzinfo=timezone.utc))
    recorder = RecordingProvider(clock=clock)
    sms_channel: SmsVendor = recorder
    wechat_channel: WechatVendor = recorder
    sms = compose_sms(ITEMS, contact="站0482-8261234")
    card = compose_wechat(ITEMS, link="https://jobs.example/o/s1")
    first = await sms_channel.send_sms(phone="13912345678", template_params=sms.params, text=sms.text,
                                       idempotency_key="w1:s1")
    second = await wechat_channel.send_template(openid="o" * 28, data=card["data"], link=card["url"],
                                                client_msg_id="w2:s1")
    assert first == SendResult(provider="recording", status="sent", provider_message_id="rec-1", raw_code="OK")
    assert second.provider_message_id == "rec-2"
    assert [(m.channel, m.to, m.idempotency_key, m.at) for m in recorder.messages] == [
        ("sms", "13912345678", "w1:s1", clock.now()), ("wechat", "o" * 28, "w2:s1", clock.now())]
    assert recorder.sent_to("13912345678")[0].text == sms.text
    assert recorder.sent_to("o" * 28)[0].data == card["data"]


async def test_the_recorder_keeps_duplicates_so_tests_can_see_them():
    recorder = RecordingProvider()
    for _ in range(2):
        await recorder.send_sms(phone="13912345678", template_params={}, text="t", idempotency_key="same")
    assert len(recorder.sent_to("13912345678")) == 2


@pytest.mark.parametrize(("window", "seconds"), [("minute", 15), ("hour", 15), ("day", 15), ("month", 15)])
def test_windows_end_on_the_local_clock(window, seconds):
    # 2026-03-31 23:59:45 in Beijing is the last quarter-minute of every window at once.
    clock = FixedClock(datetime(2026, 3, 31, 15, 59, 45, tzinfo=timezone.utc))
    assert seconds_until(clock, window) == seconds


def test_windows_in_the_middle_of_the_day():
    clock = FixedClock(datetime(2026, 3, 1, 2, 30, 0, tzinfo=timezone.utc))  # 10:30 in Beijing
    assert seconds_until(clock, "hour") == 1800 and seconds_until(clock, "day") == 13.5 * 3600
    assert seconds_until(clock, "month") == 31 * 86400 - 10.5 * 3600  # to April 1st, 00:00


def test_provider_error_carries_what_the_caller_needs():
    error = ProviderError(ErrorKind.permanent_user, "FailedOperation.PhoneNumberInBlacklist", provider="tencent",
                          opted_out=True)
    assert (error.kind, error.opted_out, error.maybe_sent, error.retry_after) == (ErrorKind.permanent_user, True,
                                                                                 False, None)
    assert "tencent" in str(error) and "PhoneNumberInBlacklist" in str(error)


async def test_the_client_factory_sets_timeouts_and_keeps_urls_out_of_the_logs():
    async with provider_client(timeout=4, connect_timeout=2) as client:
        assert (client.timeout.read, client.timeout.connect) == (4, 2)
        assert client.follow_redirects is False
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
