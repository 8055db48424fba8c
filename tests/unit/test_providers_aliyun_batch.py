"""Our Aliyun client sending several SMS in one request (SendBatchSms) against the fake Aliyun on loopback: what
goes in one request, what each message is answered, and the look-up after a batch's answer is lost."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from services.notify.compose import compose_sms
from services.notify.vendors.aliyun import AliyunSms, same_text
from services.notify.vendors.base import Doubt, ErrorKind, Found, ProviderError, SendResult
from shared.clock import SystemClock, local_today
from tests.fakes.aliyun import FakeAliyun
from tests.unit.sms_sending import client  # noqa: F401 - client: a fixture

pytest_plugins = ["tests.fakes.fixtures"]

PHONES = [f"1391234{n:04d}" for n in range(5)]


def sms_for(n: int):
    return compose_sms([{"title": f"保洁员{n}", "employer": "", "region_code": "110105", "region_name": "朝阳区",
                         "wage_min": 5000 + n, "wage_max": 6500, "meals": True, "lodging": True}],
                       contact="站0482-8261234")


async def send_together(provider: AliyunSms, phones: list[str] = PHONES) -> list[SendResult | ProviderError]:
    """Every number's SMS asked for in the same turn of the event loop, as the dispatcher's passes ask."""
    async def one(n: int, phone: str) -> SendResult | ProviderError:
        sms = sms_for(n)
        try:
            return await provider.send_sms(phone=phone, template_params=sms.params, text=sms.text,
                                           idempotency_key=f"w{n}:s1")
        except ProviderError as error:
            return error

    return list(await asyncio.gather(*(one(n, phone) for n, phone in enumerate(phones))))


async def test_sms_asked_for_together_go_in_one_request_each_with_its_own_text(fake_aliyun, client):
    results = await send_together(fake_aliyun.provider(client, batch=100))
    assert fake_aliyun.calls == {"SendBatchSms": 1}
    assert {r.provider_message_id for r in results if isinstance(r, SendResult)} == {fake_aliyun.sent[0].message_id}
    assert all(isinstance(r, SendResult) and r.id_per_request for r in results)
    assert [(m.to, m.text, m.key) for m in fake_aliyun.sent] == [(p, sms_for(n).text, None)
                                                                for n, p in enumerate(PHONES)]


async def test_with_a_batch_of_one_each_goes_alone_with_our_key(fake_aliyun, client):
    await send_together(fake_aliyun.provider(client, batch=1))
    assert fake_aliyun.calls == {"SendSms": 5}
    assert [m.key for m in fake_aliyun.sent] == [f"w{n}:s1" for n in range(5)]


async def test_no_request_carries_more_numbers_than_the_batch(fake_aliyun, client):
    results = await send_together(fake_aliyun.provider(client, batch=2))
    assert all(isinstance(r, SendResult) for r in results)
    assert fake_aliyun.calls == {"SendBatchSms": 2, "SendSms": 1}  # 2 + 2 + the one left, alone
    assert len({m.message_id for m in fake_aliyun.sent}) == 3


@pytest.mark.parametrize("code", ["isv.MOBILE_NUMBER_ILLEGAL", "isv.BUSINESS_LIMIT_CONTROL"])
async def test_a_request_refused_for_what_one_number_may_cause_is_sent_again_one_by_one(fake_aliyun, client, code):
    fake_aliyun.fail_next(code=code, action="SendBatchSms")
    results = await send_together(fake_aliyun.provider(client, batch=100))
    assert all(isinstance(r, SendResult) for r in results)
    assert fake_aliyun.calls == {"SendBatchSms": 1, "SendSms": 5}
    assert sorted(m.to for m in fake_aliyun.sent) == PHONES


async def test_one_number_at_its_daily_limit_fails_alone_and_the_others_go(client):
    async with FakeAliyun(daily_limit=1) as fake:
        provider = fake.provider(client, batch=100)
        await send_together(provider, PHONES[:1])
        results = await send_together(provider, PHONES)
    failed = [(n, r.code) for n, r in enumerate(results) if isinstance(r, ProviderError)]
    assert failed == [(0, "isv.BUSINESS_LIMIT_CONTROL")]
    assert sorted(m.to for m in fake.sent) == PHONES  # the first number once, from before


async def test_a_failure_of_the_account_fails_each_message_alike_and_sends_nothing_again(fake_aliyun, client):
    fake_aliyun.fail_next(code="isv.AMOUNT_NOT_ENOUGH", action="SendBatchSms")
    results = await send_together(fake_aliyun.provider(client, batch=100))
    assert [(r.kind, r.code) for r in results if isinstance(r, ProviderError)] == \
        [(ErrorKind.provider_down, "isv.AMOUNT_NOT_ENOUGH")] * 5
    assert len({id(r) for r in results}) == 5  # each message raises its own exception
    assert fake_aliyun.calls == {"SendBatchSms": 1} and fake_aliyun.sent == []


async def test_a_lost_answer_leaves_every_message_in_doubt_and_the_look_up_finds_each_by_its_text(fake_aliyun,
                                                                                                  client):
    provider = fake_aliyun.provider(client, batch=100)
    fake_aliyun.fail_next(timeout=True, accept=True, action="SendBatchSms")
    results = await send_together(provider)
    assert all(isinstance(r, ProviderError) and r.maybe_sent and r.kind is ErrorKind.transient for r in results)
    now = datetime.now(timezone.utc)
    found = [await provider.look_up(Doubt(phone=p, key=f"w{n}:s1", sent_on=local_today(SystemClock()), sent_at=now,
                                          waited=False, text=sms_for(n).text), now=now) for n, p in enumerate(PHONES)]
    assert all(isinstance(f, Found) and f.status == "sent" for f in found)
    another = Doubt(phone=PHONES[0], key="w0:s2", sent_on=local_today(SystemClock()), sent_at=now, waited=False,
                    text=sms_for(9).text)
    assert await provider.look_up(another, now=now) is None  # another text to the same number was never sent


async def test_a_request_lost_before_aliyun_took_it_is_found_nowhere(fake_aliyun, client):
    provider = fake_aliyun.provider(client, batch=100)
    fake_aliyun.fail_next(timeout=True, action="SendBatchSms")
    results = await send_together(provider)
    assert all(isinstance(r, ProviderError) and r.maybe_sent for r in results)
    now = datetime.now(timezone.utc)
    doubt = Doubt(phone=PHONES[1], key="w1:s1", sent_on=local_today(SystemClock()), sent_at=now, waited=False,
                  text=sms_for(1).text)
    assert await provider.look_up(doubt, now=now) is None and fake_aliyun.sent == []


@pytest.mark.parametrize(("listed", "same"), [
    ("【兴安就业】为您推荐：1.保洁员。回T退订", True),
    ("为您推荐：1.保洁员。回T退订", True),  # listed without the signature
    ("【兴安就业】 为您推荐：1.保洁员。\n回T退订 ", True),  # with whitespace of its own
    ("【兴安就业】为您推荐：1.司机。回T退订", False),
    ("【其他签名】为您推荐：1.保洁员。回T退订", True),  # the signature is not what tells two SMS apart
    ("", False),
])
def test_a_listed_text_is_ours_with_or_without_the_signature_and_spaces(listed, same):
    assert same_text(listed, "【兴安就业】为您推荐：1.保洁员。回T退订") is same
