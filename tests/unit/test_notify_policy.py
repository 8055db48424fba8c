"""Notify's rules as pure functions: channel choice and fallback, quiet hours, limits, digest, backoff, next steps."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from services.notify.policy import digest
from services.notify.policy.actions import Decision, Step, decide
from services.notify.policy.channels import Channel, Reach, choose_channel
from services.notify.policy.limits import SmsLimits, sms_not_before
from services.notify.policy.schedule import QuietHours, next_local_midnight, retry_delay
from services.notify.vendors.base import ErrorKind
from shared.clock import FixedClock

UTC = timezone.utc


def beijing(hour: int, minute: int = 0, day: int = 28) -> datetime:
    """A moment given in local time (UTC+8), as an aware UTC instant."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


# --- channel choice ----------------------------------------------------------------------------------------------

FOLLOWER = Reach(has_phone=True, has_wechat=True, consent_sms=True, consent_wechat=True)


def test_wechat_first_when_the_worker_follows_the_account_and_agreed():
    assert choose_channel(FOLLOWER).channel is Channel.wechat


@pytest.mark.parametrize("reach", [
    Reach(has_phone=True, has_wechat=False, consent_sms=True, consent_wechat=True),  # no openid
    Reach(has_phone=True, has_wechat=True, consent_sms=True, consent_wechat=False),  # did not agree to WeChat
])
def test_sms_otherwise_when_the_worker_agreed_to_sms(reach):
    assert choose_channel(reach).channel is Channel.sms


def test_wechat_failed_for_good_falls_back_to_sms():
    assert choose_channel(FOLLOWER, excluded={"wechat"}).channel is Channel.sms
    assert choose_channel(FOLLOWER, opted_out={"wechat"}).channel is Channel.sms


@pytest.mark.parametrize(("reach", "opted_out", "excluded", "reason"), [
    (Reach(True, True, False, False), (), (), "未同意接收短信或微信"),
    (Reach(True, False, False, False), (), (), "未同意接收短信或微信"),
    (Reach(True, False, True, False), ("sms",), (), "已退订短信"),
    (Reach(True, True, True, True), ("sms", "wechat"), (), "已拒收微信消息，已退订短信"),
    (Reach(True, True, False, True), (), ("wechat",), "微信无法送达，未同意接收短信"),
    (Reach(False, False, True, True), (), (), "未关注公众号，没有手机号"),
])
def test_no_channel_says_why(reach, opted_out, excluded, reason):
    choice = choose_channel(reach, opted_out=opted_out, excluded=excluded)
    assert (choice.channel, choice.reason) == (None, reason)


# --- quiet hours -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("hour", "minute", "quiet"), [(20, 59, False), (21, 0, True), (23, 30, True), (0, 0, True),
                                                      (7, 59, True), (8, 0, False), (12, 0, False)])
def test_quiet_hours_run_from_nine_in_the_evening_to_eight_in_the_morning_local_time(hour, minute, quiet):
    assert QuietHours().contains(beijing(hour, minute)) is quiet


def test_an_evening_message_waits_for_the_next_morning_and_a_night_one_for_this_morning():
    quiet = QuietHours()
    assert quiet.next_allowed(beijing(22, 15)) == beijing(8, 0, day=29)
    assert quiet.next_allowed(beijing(3, 0, day=29)) == beijing(8, 0, day=29)
    assert quiet.next_allowed(beijing(9, 30)) == beijing(9, 30)


def test_quiet_hours_need_not_wrap_midnight_and_may_be_off():
    lunch = QuietHours(time(12, 0), time(14, 0))
    assert lunch.next_allowed(beijing(12, 30)) == beijing(14, 0) and not lunch.contains(beijing(23, 0))
    assert not QuietHours(time(0, 0), time(0, 0)).contains(beijing(3, 0))


def test_quiet_hours_follow_an_injected_clock():
    clock = FixedClock(beijing(20, 59))
    assert not QuietHours().contains(clock.now())
    clock.advance(minutes=1)
    assert QuietHours().next_allowed(clock.now()) == beijing(8, 0, day=29)


# --- limits per number -------------------------------------------------------------------------------------------

def test_the_daily_sms_limit_counts_the_natural_local_day():
    limits = SmsLimits(daily=2, min_interval=timedelta(seconds=30))
    yesterday_late = beijing(23, 0, day=27)
    assert sms_not_before([yesterday_late, beijing(9, 0)], now=beijing(10, 0), limits=limits) is None
    assert sms_not_before([beijing(8, 0), beijing(9, 0)], now=beijing(10, 0), limits=limits) == beijing(0, 0, day=29)


def test_two_sms_keep_the_minimum_interval():
    limits = SmsLimits(daily=10, min_interval=timedelta(seconds=30))
    assert sms_not_before([beijing(10, 0)], now=beijing(10, 0) + timedelta(seconds=10),
                          limits=limits) == beijing(10, 0) + timedelta(seconds=30)
    assert sms_not_before([beijing(10, 0)], now=beijing(10, 1), limits=limits) is None
    assert sms_not_before([], now=beijing(10, 0), limits=limits) is None


def test_next_local_midnight_is_midnight_in_the_league():
    assert next_local_midnight(beijing(23, 59)) == beijing(0, 0, day=29)
    assert next_local_midnight(beijing(0, 0)) == beijing(0, 0, day=29)


# --- digest ------------------------------------------------------------------------------------------------------

WINDOW = timedelta(minutes=30)
NOW = beijing(10, 0)


def test_the_first_message_goes_at_once():
    assert digest.plan(pending=None, last_sent_at=None, now=NOW, window=WINDOW) == digest.DigestPlan(False, NOW)


def test_an_unsent_message_gives_way_and_the_new_one_keeps_its_place():
    waiting = digest.Pending(next_attempt_at=beijing(8, 0, day=29), in_flight=False)
    assert digest.plan(pending=waiting, last_sent_at=None, now=NOW, window=WINDOW) == digest.DigestPlan(
        True, beijing(8, 0, day=29))
    due = digest.Pending(next_attempt_at=NOW - timedelta(seconds=1), in_flight=False)
    assert digest.plan(pending=due, last_sent_at=None, now=NOW, window=WINDOW) == digest.DigestPlan(True, NOW)


def test_a_message_being_sent_is_left_and_the_new_one_waits_the_window():
    going = digest.Pending(next_attempt_at=NOW + timedelta(minutes=2), in_flight=True)
    assert digest.plan(pending=going, last_sent_at=None, now=NOW, window=WINDOW) == digest.DigestPlan(
        False, NOW + WINDOW)


def test_after_a_recent_message_the_new_one_waits_until_the_window_has_passed_since_it():
    sent = NOW - timedelta(minutes=10)
    assert digest.plan(pending=None, last_sent_at=sent, now=NOW, window=WINDOW) == digest.DigestPlan(
        False, sent + WINDOW)
    assert digest.plan(pending=None, last_sent_at=NOW - WINDOW, now=NOW, window=WINDOW).not_before == NOW
    assert digest.plan(pending=None, last_sent_at=sent, now=NOW, window=timedelta(0)).not_before == NOW


# --- backoff -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("attempt", "low", "high"), [(1, 15, 30), (2, 30, 60), (3, 60, 120), (6, 480, 960),
                                                      (8, 1800, 3600), (20, 1800, 3600)])
def test_retries_back_off_exponentially_with_jitter_up_to_the_cap(attempt, low, high):
    delays = [retry_delay(attempt, base=30, cap=3600, rand=lambda v=v: v) for v in (0.0, 0.5, 0.999999)]
    assert low <= min(delays) and max(delays) <= high
    assert delays[0] == low and delays[1] > delays[0]  # the jitter spreads them


# --- what to do after a failure: every ErrorKind on both channels ------------------------------------------------

@pytest.mark.parametrize(("kind", "expected"), [
    (ErrorKind.refresh_token, Decision(Step.retry)),
    (ErrorKind.transient, Decision(Step.retry)),
    (ErrorKind.rate_limited, Decision(Step.defer)),
    (ErrorKind.permanent_user, Decision(Step.give_up, opt_out=True)),
    (ErrorKind.permanent_request, Decision(Step.give_up)),
    (ErrorKind.provider_down, Decision(Step.fail_over, alert=True)),
])
def test_sms_failures(kind, expected):
    assert decide(kind, channel=Channel.sms, attempts=1, max_attempts=8, sms_possible=True) == expected


def test_an_sms_opt_out_flag_is_honoured_whatever_the_class():
    assert decide(ErrorKind.permanent_request, channel=Channel.sms, opted_out=True, attempts=1, max_attempts=8,
                  sms_possible=True) == Decision(Step.give_up, opt_out=True)


# `refused`: the vendor said the user turned the account's messages away (WeChat's 43101 marks its error so).
@pytest.mark.parametrize(("kind", "refused", "with_sms", "without_sms"), [
    (ErrorKind.refresh_token, False, Decision(Step.retry), Decision(Step.retry)),
    (ErrorKind.transient, False, Decision(Step.retry), Decision(Step.retry)),
    (ErrorKind.rate_limited, False, Decision(Step.defer), Decision(Step.defer)),
    (ErrorKind.permanent_user, False, Decision(Step.fall_back), Decision(Step.give_up)),  # not following, bad openid
    (ErrorKind.permanent_user, True, Decision(Step.fall_back, opt_out=True), Decision(Step.give_up, opt_out=True)),
    (ErrorKind.permanent_request, False, Decision(Step.fall_back), Decision(Step.give_up)),
    (ErrorKind.provider_down, False, Decision(Step.fall_back, alert=True), Decision(Step.retry, alert=True)),
])
def test_wechat_failures(kind, refused, with_sms, without_sms):
    assert decide(kind, channel=Channel.wechat, opted_out=refused, attempts=1, max_attempts=8,
                  sms_possible=True) == with_sms
    assert decide(kind, channel=Channel.wechat, opted_out=refused, attempts=1, max_attempts=8,
                  sms_possible=False) == without_sms


@pytest.mark.parametrize("kind", [ErrorKind.transient, ErrorKind.rate_limited, ErrorKind.provider_down,
                                  ErrorKind.refresh_token])
def test_the_last_allowed_attempt_gives_up_instead_of_trying_again(kind):
    assert decide(kind, channel=Channel.sms, attempts=8, max_attempts=8, sms_possible=True).step is Step.give_up
    assert decide(kind, channel=Channel.sms, attempts=7, max_attempts=8, sms_possible=True).step is not Step.give_up


def test_every_error_kind_has_a_step_on_both_channels():
    for kind in ErrorKind:
        for channel in Channel:
            assert isinstance(decide(kind, channel=channel, attempts=1, max_attempts=8, sms_possible=True).step, Step)
