"""One delivery pass for one message: look up the worker's channels, pick one, call the provider, decide what next.

It reads and calls, and writes nothing: it returns an Outcome that the dispatcher records in one transaction.
Numbers live only in this pass's local variables (never in the Outcome, a log or an error text).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from services.notify.contacts import Contact, ContactDirectory, ContactUnavailable
from services.notify.delivery.numbers import SmsByNumber
from services.notify.delivery.providers import ProviderSet
from services.notify.metrics import PROVIDER_DOWN, SENDS
from services.notify.opt_outs.service import number_hash
from services.notify.policy.actions import Step, decide
from services.notify.policy.channels import Channel, choose_channel
from services.notify.policy.limits import SmsLimits, sms_not_before
from services.notify.policy.schedule import QuietHours, retry_delay
from services.notify.settings import NotifySettings
from services.notify.vendors.base import (
    OFFERS,
    AskableSms,
    Doubt,
    ErrorKind,
    Found,
    NotYet,
    ProviderError,
    SendResult,
    SmsVendor,
    per_number_id,
)
from shared.clock import LOCAL_ZONE, Clock

MAX_STEPS_A_PASS = 4  # WeChat, then SMS at one vendor, then the next: a pass never loops on a bad provider
# A pass was claimed but never recorded (the process died): whichever provider it used may have sent the message.
UNKNOWN_PROVIDER = "?"


@dataclass(frozen=True)
class Claim:
    """What the dispatcher claimed: a due message as it stood, and the lease that lets this pass record it."""

    id: str
    lease: str
    worker_id: str
    idempotency_key: str
    set_id: str
    attempts: int
    sms_text: str
    sms_params: dict
    wechat: dict
    excluded_channels: frozenset[str]
    unconfirmed_provider: str | None
    unconfirmed_on: date  # the local day of the lost answer, for the provider's query
    unconfirmed_since: datetime | None = None  # when the send in doubt went (about; a vendor may wait on it)
    report_awaited: bool = False  # a look since that send found nothing yet and waited for it once
    kind: str = OFFERS  # the kind of message: the template the providers send


@dataclass(frozen=True)
class History:
    """What notify knows about the worker: the channels they left, and when SMS went to them lately."""

    opted_out: frozenset[str]
    sms_sent_at: tuple[datetime, ...]


@dataclass(frozen=True)
class Call:
    """One provider call, as the attempts table records it."""

    at: datetime
    channel: str
    provider: str
    outcome: str
    code: str | None = None
    detail: str | None = None


@dataclass
class Outcome:
    status: str  # queued (waiting again), sent, delivered, failed, not_sent
    next_attempt_at: datetime | None = None
    reason: str | None = None
    last_error: str | None = None
    channel: str | None = None
    provider: str | None = None
    provider_message_id: str | None = None
    unconfirmed_provider: str | None = None
    calls: list[Call] = field(default_factory=list)
    excluded_channels: set[str] = field(default_factory=set)
    opt_outs: list[tuple[str, str]] = field(default_factory=list)  # (channel, source)
    number_hash: str | None = None  # where an SMS went, keyed-hashed, so a 回T reply finds the worker
    text: str | None = None  # what the worker reads on the channel used (WeChat lines, or the SMS)


@dataclass
class Delivery:
    """What a pass needs: where contacts and providers are, the rules' settings, the clock."""

    contacts: ContactDirectory
    providers: ProviderSet
    settings: NotifySettings
    clock: Clock
    rand: Callable[[], float] = random.random
    numbers: SmsByNumber | None = None  # the per-number record; without it, only the worker's own SMS count

    @property
    def quiet(self) -> QuietHours:
        return QuietHours(self.settings.quiet_start, self.settings.quiet_end)

    @property
    def limits(self) -> SmsLimits:
        return SmsLimits(daily=self.settings.sms_daily_limit,
                         min_interval=timedelta(seconds=self.settings.sms_min_interval_seconds))

    def backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=retry_delay(attempts, base=self.settings.retry_base_seconds,
                                             cap=self.settings.retry_cap_seconds, rand=self.rand))

    async def deliver(self, claim: Claim, history: History) -> Outcome:
        """One pass: not sent, sent, failed, or waiting again with the time and the reason."""
        now = self.clock.now()
        if self.quiet.contains(now):
            return self._wait(claim, self.quiet.next_allowed(now), reason=_quiet_reason(self.quiet))
        try:
            contact = await self.contacts.contact(claim.worker_id)
        except ContactUnavailable as exc:
            # Nothing was sent, so no attempt counts; the lookup is retried on its own short schedule.
            delay = self.settings.contact_retry_seconds * (0.5 + 0.5 * self.rand())
            return Outcome(status="queued", next_attempt_at=now + timedelta(seconds=delay), last_error=str(exc),
                           unconfirmed_provider=claim.unconfirmed_provider)
        if contact is None:
            return Outcome(status="not_sent", reason="劳动力档案不存在")
        if contact.status == "placed":
            return Outcome(status="not_sent", reason="已就业，不再推送岗位")
        return await _Pass(self, claim, history, contact).run()

    def _wait(self, claim: Claim, until: datetime, *, reason: str | None = None,
              last_error: str | None = None) -> Outcome:
        return Outcome(status="queued", next_attempt_at=self.quiet.next_allowed(until), reason=reason,
                       last_error=last_error, unconfirmed_provider=claim.unconfirmed_provider)


class _Pass:
    """The calls of one pass, in order, until one is sent or the message must wait or stop."""

    def __init__(self, delivery: Delivery, claim: Claim, history: History, contact: Contact) -> None:
        self.d, self.claim, self.contact = delivery, claim, contact
        self.out = Outcome(status="queued", unconfirmed_provider=claim.unconfirmed_provider)
        self.opted_out = set(history.opted_out)
        self.sms_sent_at = list(history.sms_sent_at)
        self.excluded = set(claim.excluded_channels)
        self.tried: set[str] = set()  # SMS vendors that failed over in this pass
        self.asked: set[str] = set()  # SMS vendors asked about a lost answer in this pass (once is enough)
        self.number_reserved: tuple[str, datetime] | None = None  # the number's next SMS this pass holds

    @property
    def attempts(self) -> int:
        return self.claim.attempts + len(self.out.calls)

    async def run(self) -> Outcome:
        outcome = await self._run()
        if self.number_reserved and outcome.status in ("queued", "failed", "not_sent") \
                and outcome.unconfirmed_provider is None and self.d.numbers is not None:
            # Nothing went to the number (a provider that may have taken it keeps the place until it is asked).
            self.d.numbers.release(*self.number_reserved)
        return outcome

    async def _run(self) -> Outcome:
        for _ in range(MAX_STEPS_A_PASS):
            choice = choose_channel(self.contact.reach, opted_out=self.opted_out, excluded=self.excluded)
            if choice.channel is None:
                tried = any(call.outcome != "not_found" for call in self.out.calls) or self.claim.attempts
                return self._end("failed" if tried else "not_sent", choice.reason)
            step = await (self._wechat() if choice.channel is Channel.wechat else self._sms())
            if step is not None:
                return step
        return self._retry("本轮尝试次数已用完")

    # --- the two channels ---------------------------------------------------------------------------------------
    async def _wechat(self) -> Outcome | None:
        provider = self.d.providers.wechat
        if provider is None:
            self.excluded.add(Channel.wechat)
            return None
        wechat = self.claim.wechat
        try:
            result = await provider.send_template(openid=self.contact.wechat_openid or "", data=wechat["data"],
                                                  link=wechat.get("url"), client_msg_id=self.claim.idempotency_key,
                                                  template=self.claim.kind)
        except ProviderError as error:
            return self._failed(error, Channel.wechat, provider.name)
        return self._sent(result, Channel.wechat, wechat.get("text") or self.claim.sms_text)

    async def _sms(self) -> Outcome | None:
        now = self.d.clock.now()
        if (not_before := sms_not_before(self.sms_sent_at, now=now, limits=self.d.limits)) is not None:
            daily = not_before.astimezone(LOCAL_ZONE).date() > now.astimezone(LOCAL_ZONE).date()
            return self._hold(not_before, "已达每日短信上限，次日发送" if daily else "短信发送间隔未到")
        if (held := await self._number_held(now)) is not None:
            return held
        provider = self.d.providers.pick_sms(skip=self.tried)
        if provider is None:
            return self._hold(self.d.providers.sms_back_at(), "短信服务商暂不可用，稍后重试")
        if (asked := self._to_ask(provider)) is not None:
            if (settled := await self._query(asked)) is not None:
                return settled
        try:
            result = await provider.send_sms(phone=self.contact.phone or "", template_params=self.claim.sms_params,
                                             text=self.claim.sms_text, idempotency_key=self.claim.idempotency_key,
                                             template=self.claim.kind)
        except ProviderError as error:
            return self._failed(error, Channel.sms, provider.name)
        self.out.number_hash = hashed = number_hash(self.contact.phone or "", key=self.d.settings.reply_key)
        if result.id_per_request:
            result = replace(result, provider_message_id=per_number_id(result.provider_message_id, hashed))
        return self._sent(result, Channel.sms, self.claim.sms_text)

    async def _number_held(self, now: datetime) -> Outcome | None:
        """Hold the SMS when the phone number (shared by several profiles, maybe) had its share; else reserve it."""
        numbers = self.d.numbers
        if numbers is None or not self.contact.phone or self.number_reserved:
            return None  # reserved already when this pass fails over to the next vendor
        key = number_hash(self.contact.phone, key=self.d.settings.reply_key)
        sent = await numbers.sent_at(key, now=now)
        if (not_before := sms_not_before(sent, now=now, limits=self.d.limits)) is not None:
            daily = not_before.astimezone(LOCAL_ZONE).date() > now.astimezone(LOCAL_ZONE).date()
            return self._hold(not_before, "这个手机号今天的短信已达上限，次日发送" if daily else "这个手机号刚收到短信，稍后发送")
        numbers.reserve(key, now)  # no await since the look: a pass running beside this one sees it
        self.number_reserved = (key, now)
        return None

    def _to_ask(self, picked: SmsVendor) -> AskableSms | None:
        """The vendor to ask before sending, after a lost answer: the one that may have the message, if it is up
        and can be asked (after a pass that died, the vendor it would have used: the one picked now)."""
        name = self.out.unconfirmed_provider
        if name is None:
            return None
        vendor: SmsVendor | None
        if name == UNKNOWN_PROVIDER:
            vendor = picked
        else:
            vendor = self.d.providers.sms.get(name)
            if vendor is None or name in self.tried or not self.d.providers.health.is_up(name):
                return None  # it cannot be asked now; the send goes to the vendor picked, as without a query
        return vendor if isinstance(vendor, AskableSms) and vendor.name not in self.asked else None

    async def _query(self, provider: AskableSms) -> Outcome | None:
        """SendSms is not idempotent at the SMS vendors: after a lost answer, ask whether the vendor took the message
        (by our key) before sending it again. Returns the outcome if that settles it, None to send."""
        now = self.d.clock.now()
        self.asked.add(provider.name)
        claim = self.claim
        doubt = Doubt(phone=self.contact.phone or "", key=claim.idempotency_key, sent_on=claim.unconfirmed_on,
                      sent_at=claim.unconfirmed_since, waited=claim.report_awaited, text=claim.sms_text)
        try:
            found = await provider.look_up(doubt, now=now)
        except ProviderError as error:
            self._record(now, Channel.sms, provider.name, _query_outcome(error.kind), error)
            if error.kind in (ErrorKind.transient, ErrorKind.rate_limited):
                return self._retry(f"查询发送结果失败：{error.code}")
            return None  # it cannot be asked (down, or the look-up refused): send, as without a query
        if isinstance(found, NotYet):
            self._record(now, Channel.sms, provider.name, "not_reported")
            SENDS.labels(provider.name, "not_reported").inc()
            self.out.unconfirmed_provider = provider.name  # the next look asks the vendor again, and only once more
            return self._hold(found.until, f"发送结果未知，等待{provider.title}状态报告，{_local(found.until)}再查")
        if found is None:
            self._record(now, Channel.sms, provider.name, "not_found")
            self.out.unconfirmed_provider = None
            SENDS.labels(provider.name, "not_found").inc()
            return None
        return self._found(found, provider.name, now)

    def _found(self, found: Found, provider: str, now: datetime) -> Outcome:
        """The vendor took the message before its answer was lost: settle it as the vendor knows it."""
        self._record(now, Channel.sms, provider, "found_sent", code=found.code)
        SENDS.labels(provider, "found_sent").inc()
        self.out.unconfirmed_provider = None
        self.out.number_hash = number_hash(self.contact.phone or "", key=self.d.settings.reply_key)
        self.out.reason = f"运营商回执未送达：{found.error}" if found.status == "failed" else None
        return self._settle(found.status, Channel.sms, provider, found.message_id, self.claim.sms_text)

    # --- outcomes -----------------------------------------------------------------------------------------------
    def _sent(self, result: SendResult, channel: Channel, text: str) -> Outcome:
        now = self.d.clock.now()
        self.out.calls.append(Call(at=now, channel=channel, provider=result.provider, outcome="sent",
                                   code=result.raw_code))
        SENDS.labels(result.provider, "sent").inc()
        self.out.unconfirmed_provider = None
        return self._settle("sent", channel, result.provider, result.provider_message_id, text)

    def _settle(self, status: str, channel: Channel, provider: str, message_id: str | None, text: str) -> Outcome:
        out = self.out
        out.status, out.channel, out.provider, out.provider_message_id = status, channel, provider, message_id
        out.excluded_channels = self.excluded - set(self.claim.excluded_channels)
        out.next_attempt_at = None
        out.text = text
        return out

    def _failed(self, error: ProviderError, channel: Channel, provider: str) -> Outcome | None:
        now = self.d.clock.now()
        self._record(now, channel, provider, str(error.kind), error)
        SENDS.labels(provider, str(error.kind)).inc()
        if error.maybe_sent and channel is Channel.sms:
            # A vendor that can be asked afterwards (by our key) is asked before a send is repeated; another
            # vendor's send is simply retried.
            askable = isinstance(self.d.providers.sms.get(provider), AskableSms)
            self.out.unconfirmed_provider = provider if askable else None
        sms_possible = choose_channel(self.contact.reach, opted_out=self.opted_out,
                                      excluded=self.excluded | {Channel.wechat}).channel is Channel.sms
        decision = decide(error.kind, channel=channel, opted_out=error.opted_out, attempts=self.attempts,
                          max_attempts=self.d.settings.max_attempts, sms_possible=sms_possible)
        self.out.last_error = _error_text(provider, error)
        if decision.opt_out:
            self.opted_out.add(channel)
            self.out.opt_outs.append((channel, f"{provider} {error.code}"))
        if decision.alert:
            PROVIDER_DOWN.labels(provider, error.code[:40]).inc()
            if channel is Channel.sms:
                self.d.providers.health.mark_down(provider)
        step = decision.step
        if step is Step.fall_back:
            self.excluded.add(Channel.wechat)
            return None
        if step is Step.fail_over:
            self.tried.add(provider)
            return None
        if step is Step.retry:
            return self._retry(None)
        if step is Step.defer:
            wait = timedelta(seconds=error.retry_after) if error.retry_after else self.d.backoff(self.attempts)
            return self._hold(now + wait, f"{provider}限流，{_local(now + wait)}后重试")
        return self._end("failed", _failure_reason(provider, error, self.attempts, self.d.settings.max_attempts))

    def _record(self, at: datetime, channel: str, provider: str, outcome: str, error: ProviderError | None = None,
                code: str | None = None) -> None:
        detail = _redact(error.message, self.contact)[:300] if error and error.message else None
        self.out.calls.append(Call(at=at, channel=channel, provider=provider, outcome=outcome,
                                   code=(error.code if error else code), detail=detail))

    def _retry(self, reason: str | None) -> Outcome:
        if self.attempts >= self.d.settings.max_attempts:
            return self._end("failed", f"{self.attempts}次发送未成功：{self.out.last_error or reason}")
        return self._hold(self.d.clock.now() + self.d.backoff(self.attempts), reason)

    def _hold(self, until: datetime, reason: str | None) -> Outcome:
        out = self.out
        out.status, out.next_attempt_at, out.reason = "queued", self.d.quiet.next_allowed(until), reason
        out.excluded_channels = self.excluded - set(self.claim.excluded_channels)
        return out

    def _end(self, status: str, reason: str) -> Outcome:
        out = self.out
        out.status, out.reason, out.next_attempt_at = status, reason, None
        out.excluded_channels = self.excluded - set(self.claim.excluded_channels)
        return out


_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")


def _redact(text: str, contact: Contact) -> str:
    """Provider messages may echo the recipient: take out the number and the openid before keeping the text."""
    for secret in (contact.phone, contact.wechat_openid):
        if secret:
            text = text.replace(secret, "***")
    return _MOBILE.sub("***", text)


def _query_outcome(kind: ErrorKind) -> str:
    # The attempt log's outcome holds 20 characters.
    return "query_refused" if kind is ErrorKind.permanent_request else f"query_{kind}"


def _error_text(provider: str, error: ProviderError) -> str:
    return f"{provider} {error.code}"[:300]


def _failure_reason(provider: str, error: ProviderError, attempts: int, max_attempts: int) -> str:
    if error.kind in (ErrorKind.transient, ErrorKind.rate_limited, ErrorKind.provider_down,
                      ErrorKind.refresh_token):
        return f"{attempts}次发送未成功（上限{max_attempts}次），最后一次：{provider} {error.code}"
    if error.opted_out or error.kind is ErrorKind.permanent_user:
        return f"收信人已退订或拒收（{provider} {error.code}）"
    return f"服务商拒绝发送（{provider} {error.code}）"


def _quiet_reason(quiet: QuietHours) -> str:
    return f"夜间免打扰，{quiet.end.strftime('%H:%M')}后发送"


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M")
