"""The protocol every provider implements, its result and error types, and the rate-limit windows they share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Literal, Protocol

from shared.clock import LOCAL_ZONE, Clock

# The approved templates a provider sends, by the kind of message: a recommendation set's offers, or an invitation
# to a job fair. Each vendor holds its template code (or id) per kind.
OFFERS = "offers"
FAIR_INVITATION = "fair_invitation"


class ErrorKind(StrEnum):
    """What the caller should do about a failed send (the classes of docs/providers.md, "What a failure means")."""

    refresh_token = "refresh_token"  # WeChat only: fetch a new access token and retry once
    transient = "transient"  # retry with backoff
    rate_limited = "rate_limited"  # defer to the end of the window (retry_after)
    permanent_user = "permanent_user"  # this recipient cannot get it on this channel: fall back to SMS
    permanent_request = "permanent_request"  # the request or template is wrong: retrying will not help
    provider_down = "provider_down"  # balance, auth or outage: fail over to the other vendor and alert


@dataclass(frozen=True)
class SendResult:
    provider: str
    status: Literal["sent"]  # accepted by the provider; delivery is known later from a receipt
    provider_message_id: str  # Aliyun BizId, Tencent SerialNo, WeChat msgid
    raw_code: str


class ProviderError(Exception):
    """A send that failed, classified; `code` is the provider's own code, kept for the message's failure reason."""

    def __init__(self, kind: ErrorKind, code: str, message: str = "", *, provider: str = "",
                 retry_after: float | None = None, opted_out: bool = False, maybe_sent: bool = False) -> None:
        super().__init__(f"{provider} {kind}: {code} {message}".strip())
        self.kind = kind
        self.code = code
        self.message = message
        self.provider = provider
        self.retry_after = retry_after
        # The recipient told the provider to stop (Tencent PhoneNumberInBlacklist): stop for good, on every channel.
        self.opted_out = opted_out
        # The request may have reached the provider before the answer was lost (read timeout, 5xx): Aliyun and
        # Tencent sends are not idempotent, so check (Aliyun QuerySendDetails, a receipt) before sending again.
        self.maybe_sent = maybe_sent


class SmsProvider(Protocol):
    name: str

    async def send_sms(self, *, phone: str, template_params: Mapping[str, str], text: str,
                       idempotency_key: str, template: str = OFFERS) -> SendResult:
        """Send one templated SMS; `text` is the full rendered text (kept by the recorder; vendors render their own);
        `template` is the kind of message, whose approved template the vendor sends."""


class WechatProvider(Protocol):
    name: str

    async def send_template(self, *, openid: str, data: Mapping[str, Mapping[str, str]], link: str | None,
                            client_msg_id: str, template: str = OFFERS) -> SendResult:
        """Send one template message to an official-account follower."""


def template_for(templates: Mapping[str, str], kind: str, *, provider: str) -> str:
    """The vendor's template code for a kind of message; none configured is a request no retry mends."""
    code = templates.get(kind)
    if not code:
        raise ProviderError(ErrorKind.permanent_request, "TemplateNotConfigured",
                            f"no {provider} template is configured for {kind} messages", provider=provider)
    return code


def seconds_until(clock: Clock, window: Literal["minute", "hour", "day", "month"]) -> float:
    """Seconds from now to the end of the current natural window in local time (UTC+8), where quotas reset."""
    now = clock.now().astimezone(LOCAL_ZONE)
    if window == "minute":
        end = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    elif window == "hour":
        end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    elif window == "day":
        end = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    else:
        first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (first + timedelta(days=32)).replace(day=1)
    # Asia/Shanghai has no daylight saving, so wall-clock arithmetic is exact.
    return max(1.0, (end - now).total_seconds())
