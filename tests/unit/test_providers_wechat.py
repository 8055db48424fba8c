"""Our WeChat client against the fake WeChat on loopback: the token cache, refresh and retry, errors, result events."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from services.notify.compose import compose_wechat
from services.notify.vendors import wechat
from services.notify.vendors.base import ErrorKind, ProviderError
from services.notify.vendors.http import provider_client
from shared.clock import FixedClock
from tests.fakes.callback import ReceiptInbox
from tests.fakes.wechat import FakeWechat

OPENID = "oia2TjuEGTNoeX76QEjQNrcURxG8"
MESSAGE = compose_wechat([{"title": "保洁员", "region_code": "110105", "region_name": "朝阳区", "wage_min": 5000,
                           "wage_max": 6500, "meals": True, "lodging": True}], link="https://jobs.example/o/s1",
                         contact="站0482-8261234")

pytest_plugins = ["tests.fakes.fixtures"]


@pytest.fixture
async def client():
    async with provider_client(timeout=2.0, connect_timeout=2.0) as client:
        yield client


async def send(provider, *, openid: str = OPENID, key: str = "w1:s1"):
    return await provider.send_template(openid=openid, data=MESSAGE["data"], link=MESSAGE["url"], client_msg_id=key)


async def failure(provider, **kwargs) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        await send(provider, **kwargs)
    return caught.value


async def test_send_returns_the_msgid_and_the_token_is_fetched_once(fake_wechat, client):
    provider = fake_wechat.provider(client)
    first, second = await send(provider, key="a"), await send(provider, key="b")
    assert (first.provider, first.status, first.raw_code) == ("wechat", "sent", "0")
    assert int(second.provider_message_id) == int(first.provider_message_id) + 1
    assert fake_wechat.token_fetches == 1
    assert [(m.to, m.key, m.params, m.text) for m in fake_wechat.sent] == [
        (OPENID, "a", MESSAGE["data"], MESSAGE["url"]), (OPENID, "b", MESSAGE["data"], MESSAGE["url"])]


async def test_concurrent_sends_share_one_token_fetch(fake_wechat, client):
    provider = fake_wechat.provider(client)
    await asyncio.gather(*(send(provider, key=f"k{n}") for n in range(10)))
    assert fake_wechat.token_fetches == 1 and len(fake_wechat.sent) == 10


async def test_an_expired_token_42001_is_refreshed_and_the_send_retried_once(fake_wechat, client):
    provider = fake_wechat.provider(client)
    await send(provider, key="a")
    fake_wechat.expire_tokens()
    result = await send(provider, key="b")
    assert result.status == "sent" and fake_wechat.token_fetches == 2
    assert [m.key for m in fake_wechat.sent] == ["a", "b"]


async def test_many_sends_seeing_one_rejected_token_refresh_it_once(fake_wechat, client):
    provider = fake_wechat.provider(client)
    await send(provider, key="warm")
    fake_wechat.expire_tokens()
    await asyncio.gather(*(send(provider, key=f"k{n}") for n in range(5)))
    assert fake_wechat.token_fetches == 2 and len(fake_wechat.sent) == 6


@pytest.mark.parametrize("code", ["40001", "40014", "42001"])
async def test_a_token_rejected_twice_is_retried_only_once(fake_wechat, client, code):
    provider = fake_wechat.provider(client)
    fake_wechat.fail_next(2, code=code)
    error = await failure(provider)
    assert (error.kind, error.code) == (ErrorKind.refresh_token, code)
    assert fake_wechat.calls["send"] == 2 and fake_wechat.token_fetches == 2


async def test_the_token_is_refreshed_early_before_it_expires(client):
    clock = FixedClock(datetime(2026, 3, 1, 0, 0, tzinfo=timezone.utc))
    async with FakeWechat(clock=clock, expires_in=7200) as fake:
        provider = fake.provider(client, refresh_margin=300)
        await send(provider, key="a")
        clock.advance(seconds=7200 - 301)  # 301 s left: still used
        await send(provider, key="b")
        assert fake.token_fetches == 1
        clock.advance(seconds=2)  # 299 s left: renewed before WeChat would answer 42001
        await send(provider, key="c")
        assert fake.token_fetches == 2 and fake.calls["send"] == 3


async def test_a_superseded_token_stops_working_after_five_minutes(client):
    clock = FixedClock(datetime(2026, 3, 1, 0, 0, tzinfo=timezone.utc))
    async with FakeWechat(clock=clock) as fake:
        old, other = fake.provider(client), fake.provider(client)
        await send(old, key="a")
        await send(other, key="b")  # a second process fetching its own token supersedes the first one's
        clock.advance(minutes=4)
        await send(old, key="c")
        clock.advance(minutes=2)
        await send(old, key="d")  # 40001 now: refreshed and retried
    assert fake.token_fetches == 3 and [m.key for m in fake.sent] == ["a", "b", "c", "d"]


@pytest.mark.parametrize(("code", "kind"), [
    ("-1", ErrorKind.transient), ("45009", ErrorKind.rate_limited), ("45011", ErrorKind.rate_limited),
    ("40003", ErrorKind.permanent_user), ("43004", ErrorKind.permanent_user), ("43101", ErrorKind.permanent_user),
    ("40036", ErrorKind.permanent_request), ("40037", ErrorKind.permanent_request),
    ("47001", ErrorKind.permanent_request), ("47003", ErrorKind.permanent_request),
    ("48001", ErrorKind.permanent_request)])
async def test_each_errcode_maps_to_its_kind(fake_wechat, client, code, kind):
    fake_wechat.fail_next(code=code)
    error = await failure(fake_wechat.provider(client))
    assert (error.kind, error.code, error.provider) == (kind, code, "wechat")
    assert (error.retry_after is not None) == (kind is ErrorKind.rate_limited)
    assert error.opted_out == (code == "43101")  # only a refusal leaves WeChat for good; not following does not


async def test_quota_windows_end_at_the_minute_and_at_midnight_in_beijing(client):
    clock = FixedClock(datetime(2026, 3, 1, 15, 59, 45, tzinfo=timezone.utc))  # 23:59:45 in Beijing
    async with FakeWechat(clock=clock) as fake:
        provider = fake.provider(client)
        fake.fail_next(code="45011")
        assert (await failure(provider)).retry_after == 15
        fake.fail_next(code="45009")
        assert (await failure(provider)).retry_after == 15


async def test_the_fake_answers_real_user_conditions(fake_wechat, client):
    provider = fake_wechat.provider(client)
    fake_wechat.unsubscribed.add(OPENID)
    assert (await failure(provider)).code == "43004"
    assert (await failure(provider, openid="bad")).kind is ErrorKind.permanent_user  # 40003: fall back to SMS
    other = fake_wechat.provider(client, template_id="not-approved")
    assert (await failure(other, openid="oia2TjuEGTNoeX76QEjQNrcURxG9")).code == "40037"


async def test_a_wrong_secret_means_provider_down(fake_wechat, client):
    error = await failure(fake_wechat.provider(client, secret="wrong"))
    assert (error.kind, error.code) == (ErrorKind.provider_down, "40125")
    assert fake_wechat.sent == []


async def test_5xx_and_timeouts_are_transient(fake_wechat, client):
    provider = fake_wechat.provider(client)
    fake_wechat.fail_next(status=502)
    assert (await failure(provider)).kind is ErrorKind.transient
    fake_wechat.fail_next(timeout=True)
    assert (await failure(provider)).kind is ErrorKind.transient
    fake_wechat.fail_next(timeout=True, action="token")
    assert (await failure(fake_wechat.provider(client))).code == "ReadTimeout"


async def test_client_msg_id_makes_a_retry_after_a_lost_answer_send_once(fake_wechat, client):
    provider = fake_wechat.provider(client)
    fake_wechat.fail_next(timeout=True, accept=True)
    error = await failure(provider, key="w1:s1")
    assert error.kind is ErrorKind.transient and error.maybe_sent
    retried = await send(provider, key="w1:s1")
    assert [m.message_id for m in fake_wechat.sent] == [retried.provider_message_id]


async def test_result_events_are_pushed_signed_and_parsed(fake_wechat, client):
    provider = fake_wechat.provider(client)
    blocked = "oia2TjuEGTNoeX76QEjQNrcURxG9"
    fake_wechat.blocked.add(blocked)
    ok, refused = await send(provider, key="a"), await send(provider, openid=blocked, key="b")
    inbox = ReceiptInbox()
    answers = await fake_wechat.push_receipts("http://callback/receipts/wechat", client=inbox.client)
    assert all(fake_wechat.receipt_acknowledged(a) for a in answers)
    events = [wechat.parse_result_event(body) for body in inbox.bodies["wechat"]]
    assert events == [(ok.provider_message_id, "success"), (refused.provider_message_id, "failed:user block")]
    assert [wechat.result_error_kind(status) for _, status in events] == [None, ErrorKind.permanent_user]
    query = inbox.queries["wechat"][0]
    assert wechat.callback_signature_ok(token=fake_wechat.callback_token, signature=query["signature"],
                                        timestamp=query["timestamp"], nonce=query["nonce"])
    assert not wechat.callback_signature_ok(token="other", signature=query["signature"],
                                            timestamp=query["timestamp"], nonce=query["nonce"])


def test_parse_result_event_reads_the_documented_sample_and_refuses_the_rest():
    sample = ("<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName><FromUserName><![CDATA[oia2TjuEGTNoeX76QEjQ"
              "NrcURxG8]]></FromUserName><CreateTime>1395658920</CreateTime><MsgType><![CDATA[event]]></MsgType><Event>"
              "<![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>200163836</MsgID><Status><![CDATA[success]]></Status>"
              "</xml>")
    assert wechat.parse_result_event(sample.encode()) == ("200163836", "success")
    with pytest.raises(ValueError):
        wechat.parse_result_event(sample.replace("TEMPLATESENDJOBFINISH", "subscribe"))
    with pytest.raises(ValueError):
        wechat.parse_result_event('<!DOCTYPE x [<!ENTITY a "b">]>' + sample)


@pytest.mark.parametrize(("status", "kind"), [("success", None), ("failed:user block", ErrorKind.permanent_user),
                                              ("failed: system failed", ErrorKind.transient),
                                              ("failed:freq limit", ErrorKind.rate_limited)])
def test_result_statuses_mean_what_the_table_says(status, kind):
    assert wechat.result_error_kind(status) is kind
    assert wechat.WechatTemplates.user_refused(status) == (status == "failed:user block")
    assert wechat.WechatTemplates.user_refused(status.replace(" ", "").upper()) == (status == "failed:user block")
