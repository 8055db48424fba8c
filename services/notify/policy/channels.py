"""Which channel reaches a worker: WeChat when they follow the account and agreed, else SMS when they agreed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    sms = "sms"
    wechat = "wechat"


@dataclass(frozen=True)
class Reach:
    """What the contact lookup says about a worker's channels (no number: only whether there is one)."""

    has_phone: bool
    has_wechat: bool
    consent_sms: bool
    consent_wechat: bool


@dataclass(frozen=True)
class ChannelChoice:
    channel: Channel | None
    reason: str  # why no channel (staff read it); empty when there is one


def choose_channel(reach: Reach, *, opted_out: Collection[str] = (), excluded: Collection[str] = ()) -> ChannelChoice:
    """WeChat first (free, and a link to the whole offer), SMS otherwise; `excluded` holds channels that already
    failed for good for this message (WeChat after a block or an unsubscribe), `opted_out` those the worker left."""
    blocked = set(opted_out) | set(excluded)
    if reach.has_wechat and reach.consent_wechat and Channel.wechat not in blocked:
        return ChannelChoice(Channel.wechat, "")
    if reach.has_phone and reach.consent_sms and Channel.sms not in blocked:
        return ChannelChoice(Channel.sms, "")
    return ChannelChoice(None, no_channel_reason(reach, opted_out=set(opted_out), excluded=set(excluded)))


def no_channel_reason(reach: Reach, *, opted_out: set[str], excluded: set[str]) -> str:
    """Why neither channel may be used, in the words staff read."""
    if Channel.sms in opted_out:
        sms = "已退订短信"
    elif not reach.consent_sms:
        sms = "未同意接收短信"
    elif not reach.has_phone:
        sms = "没有手机号"
    else:
        sms = ""
    if Channel.wechat in excluded:
        wechat = "微信无法送达"
    elif Channel.wechat in opted_out:
        wechat = "已拒收微信消息"
    elif not reach.has_wechat:
        wechat = "未关注公众号" if reach.consent_wechat else ""
    elif not reach.consent_wechat:
        wechat = "未同意接收微信"
    else:
        wechat = ""
    if not reach.consent_sms and not reach.consent_wechat:
        return "未同意接收短信或微信"
    return "，".join(part for part in (wechat, sms) if part) or "没有可用的联系方式"
