"""The protocols every vendor implements, their results and error types, and the rate-limit windows they share.

A vendor module owns all that is particular to one vendor: sending, the look-up after a lost answer, reading what it
pushes back (receipts, replies) and the answer it wants to a push. Notify's delivery pass and callback routes know
vendors only through these protocols.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal, Protocol, runtime_checkable

from starlette.responses import Response

from services.notify.vendors.pushes import ReceiptIn, SmsReply
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
    # The id names the whole request, which may have carried several numbers (Aliyun's BizId for SendBatchSms): a
    # message is then known by the id and its number (`per_number_id`), as the vendor's receipts tell them apart.
    id_per_request: bool = False


def per_number_id(request_id: str, number_hash: str) -> str:
    """A message's id at a vendor whose id names a request of several numbers: the request's id and the number's
    keyed hash (its first 16 hex digits; the number itself is never kept)."""
    return f"{request_id}/{number_hash[:16]}"


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
        # The recipient told the provider to stop (Tencent PhoneNumberInBlacklist, WeChat 43101): this channel is
        # left for good, whichever vendor serves it. The vendor decides; the policy honours it.
        self.opted_out = opted_out
        # The request may have reached the provider before the answer was lost (read timeout, 5xx): Aliyun and
        # Tencent sends are not idempotent, so check (Aliyun QuerySendDetails, a receipt) before sending again.
        self.maybe_sent = maybe_sent

    def again(self) -> ProviderError:
        """The same failure as a new exception: each message of a request that failed as a whole raises its own."""
        return ProviderError(self.kind, self.code, self.message, provider=self.provider, retry_after=self.retry_after,
                             opted_out=self.opted_out, maybe_sent=self.maybe_sent)


class Pushes(Protocol):
    """What a vendor pushes to notify's callbacks, read without an account: receipts, and the answer it expects.

    Bodies are the raw bytes of the push. A body that is not JSON where JSON is expected raises `NotJson`; one that
    is not a report raises KeyError or ValueError, and the caller answers with `refuse`.
    """

    name: str
    receipts_doc: str  # what the receipt push is called at the vendor (the route's description)

    @staticmethod
    def parse_receipts(body: bytes) -> list[ReceiptIn]: ...

    @staticmethod
    def acknowledge() -> Response:
        """The answer that tells the vendor the push was taken (anything else: it pushes again)."""

    @staticmethod
    def refuse(reason: str) -> Response:
        """The answer to a push that could not be read."""


class WechatPushes(Pushes, Protocol):
    """WeChat's pushes: result events, one of which may say the recipient refused the account's messages."""

    @staticmethod
    def user_refused(status: str) -> bool:
        """Whether a failed result's status (a receipt's `status`) says the recipient turned the account's messages
        away: the channel is left for good."""


class SmsPushes(Pushes, Protocol):
    """An SMS vendor's pushes: receipts, and the replies (upstream SMS) its users send."""

    @staticmethod
    def parse_replies(body: bytes) -> list[SmsReply]: ...


class SmsVendor(Protocol):
    """Sends SMS; `name` is the vendor's name in the settings, the attempt log and the callback URLs."""

    name: str

    async def send_sms(self, *, phone: str, template_params: Mapping[str, str], text: str,
                       idempotency_key: str, template: str = OFFERS) -> SendResult:
        """Send one templated SMS; `text` is the full rendered text (kept by the recorder; vendors render their own);
        `template` is the kind of message, whose approved template the vendor sends."""


@dataclass(frozen=True)
class Doubt:
    """A send whose answer was lost: what a vendor is asked about before the message is sent again."""

    phone: str  # used for the look-up only; never kept
    key: str  # our idempotency key, which the vendor keeps with the message
    sent_on: date  # the local day of the send in doubt
    sent_at: datetime | None  # when it went (about), if known
    waited: bool  # a look since that send found nothing yet and waited once already
    text: str = ""  # the SMS as the worker reads it: a send of several numbers carries no key of ours, only this

    def __repr__(self) -> str:
        return f"Doubt(key={self.key!r}, sent_on={self.sent_on!r}, sent_at={self.sent_at!r}, waited={self.waited!r})"


@dataclass(frozen=True)
class Found:
    """What a vendor says about a message whose send answer was lost: it took it, and how it went since."""

    status: str  # sent (no receipt yet), delivered, failed
    code: str  # the vendor's status as recorded in the attempt log
    error: str  # the carrier's failure code, for the reason
    message_id: str | None  # the vendor's id of the message, when the look-up tells it


@dataclass(frozen=True)
class NotYet:
    """The vendor cannot tell yet whether it took the message: ask again at `until` (then nothing means not sent)."""

    until: datetime


@runtime_checkable
class AskableSms(SmsVendor, Protocol):
    """An SMS vendor that can be asked, after a lost answer, whether it took a message (by our key)."""

    title: str  # the vendor's name as staff read it in a reason

    async def look_up(self, doubt: Doubt, *, now: datetime) -> Found | NotYet | None:
        """What the vendor knows of the message in doubt; None: it did not take it (send again)."""


class WechatVendor(Protocol):
    """Sends WeChat template messages to an official account's followers."""

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
