"""What to do after a failed send: one row per error class (docs/providers.md) and channel."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.notify.policy.channels import Channel
from services.notify.vendors.base import ErrorKind


class Step(StrEnum):
    retry = "retry"  # the same channel again after a backoff with jitter
    defer = "defer"  # the same channel once the provider's window has ended (its quota resets)
    fall_back = "fall_back"  # WeChat cannot reach the worker with this message: SMS now
    fail_over = "fail_over"  # the SMS vendor is down (balance, credentials, outage): the next vendor now
    give_up = "give_up"  # failed for good, with the reason


@dataclass(frozen=True)
class Decision:
    step: Step
    opt_out: bool = False  # the worker unsubscribed from this channel at the provider: never again on it
    alert: bool = False  # an operator must act (balance, credentials): raise the alert metric


def decide(kind: ErrorKind, *, channel: Channel, opted_out: bool = False, attempts: int, max_attempts: int,
           sms_possible: bool) -> Decision:
    """The next step for a message whose send (try number `attempts`) failed with `kind`; `opted_out`: the vendor
    said the recipient told it to stop (`ProviderError.opted_out`), which is honoured for good on the channel."""
    if channel is Channel.wechat:
        decision = _wechat(kind, refused=opted_out, sms_possible=sms_possible)
    else:
        decision = _sms(kind, opted_out=opted_out)
    if decision.step in (Step.retry, Step.defer, Step.fail_over) and attempts >= max_attempts:
        return Decision(Step.give_up, decision.opt_out, decision.alert)
    return decision


def _sms(kind: ErrorKind, *, opted_out: bool) -> Decision:
    if kind in (ErrorKind.transient, ErrorKind.refresh_token):
        return Decision(Step.retry)
    if kind is ErrorKind.rate_limited:
        return Decision(Step.defer)
    if kind is ErrorKind.provider_down:
        return Decision(Step.fail_over, alert=True)
    # permanent_user (Tencent's blacklist: the owner replied TD) and permanent_request (bad number, template).
    return Decision(Step.give_up, opt_out=opted_out or kind is ErrorKind.permanent_user)


def _wechat(kind: ErrorKind, *, refused: bool, sms_possible: bool) -> Decision:
    if kind in (ErrorKind.transient, ErrorKind.refresh_token):
        return Decision(Step.retry)
    if kind is ErrorKind.rate_limited:
        return Decision(Step.defer)
    alert = kind is ErrorKind.provider_down
    # Not following, refused, blocked, a bad openid; a template WeChat rejects; the account unusable: the worker
    # still gets the offers, by SMS.
    if sms_possible:
        return Decision(Step.fall_back, opt_out=refused, alert=alert)
    if kind is ErrorKind.provider_down:
        return Decision(Step.retry, alert=True)
    return Decision(Step.give_up, opt_out=refused)
