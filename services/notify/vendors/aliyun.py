"""Aliyun SMS: SendSms, SendBatchSms and QuerySendDetails (Dysmsapi) over async httpx, signed with ACS3-HMAC-SHA256,
and what Aliyun pushes back (SmsReport receipts, SmsUp replies) with the answer it expects (docs/providers.md).

With `batch` above 1, the messages that passes send at about the same time go out together: those asked for while
a request is under way make the next one, up to `batch` numbers (SendBatchSms; one alone goes by SendSms).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

import httpx
from fastapi.responses import JSONResponse
from starlette.responses import Response

from services.notify.vendors.base import (
    OFFERS,
    Doubt,
    ErrorKind,
    Found,
    ProviderError,
    SendResult,
    seconds_until,
    template_for,
)
from services.notify.vendors.http import call
from services.notify.vendors.pushes import ReceiptIn, SmsReply, is_true, read_replies, report_array, short
from shared.clock import Clock, SystemClock, local_today
from shared.coalesce import Coalesced

API_VERSION = "2017-05-25"
ALGORITHM = "ACS3-HMAC-SHA256"
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()
PAGE_SIZE = 50  # QuerySendDetails' maximum
BATCH_MOST = 100  # numbers in one SendBatchSms [D]
FORM = "application/x-www-form-urlencoded"
_RESERVED = re.compile(r"[^A-Za-z0-9_.~-]+")
_SIGNATURE = re.compile(r"^【[^】]*】")

_KINDS = {
    "isp.SYSTEM_ERROR": ErrorKind.transient,
    "SignatureNonceUsed": ErrorKind.transient,  # a retry with a fresh nonce goes through
    "isv.BUSINESS_LIMIT_CONTROL": ErrorKind.rate_limited,
    "isv.DAY_LIMIT_CONTROL": ErrorKind.rate_limited,
    "isv.MONTH_LIMIT_CONTROL": ErrorKind.rate_limited,
    "isv.AMOUNT_NOT_ENOUGH": ErrorKind.provider_down,
    "isv.OUT_OF_SERVICE": ErrorKind.provider_down,
    "isp.RAM_PERMISSION_DENY": ErrorKind.provider_down,
}
# A request of several numbers refused for what one of them may cause (a bad number or value, one number's flow
# control): nothing went, and each is sent alone for its own answer.
_ONE_MAY_CAUSE = {"isv.BUSINESS_LIMIT_CONTROL"}
# HTTP 4xx answers that mean our account or credentials are unusable, not that this one request is wrong.
_AUTH_PREFIXES = ("SignatureDoesNotMatch", "IncompleteSignature", "InvalidAccessKeyId", "Forbidden",
                  "InvalidTimeStamp", "InvalidSecurityToken")
_SEND_STATUS = {1: "waiting", 2: "failed", 3: "delivered"}
# The answer a push wants; anything else is pushed again after 1, 5 and 10 minutes.
PUSH_TAKEN = {"code": 0, "msg": "接收成功"}


def classify(code: str, *, http_status: int = 200) -> ErrorKind:
    """Map an Aliyun error code (and the HTTP status it came with) to what the caller should do."""
    if code in _KINDS:
        return _KINDS[code]
    if code.startswith("Throttling"):
        return ErrorKind.rate_limited
    if code.startswith(_AUTH_PREFIXES):
        return ErrorKind.provider_down
    if http_status >= 500 or code.startswith("isp."):
        return ErrorKind.transient
    # Every other isv.* business code and 4xx parameter error: the request itself is wrong.
    return ErrorKind.permanent_request


def percent_encoded(text: str) -> str:
    """RFC 3986 percent-encoding, as `quote(text, safe='~')` gives it (every UTF-8 byte but letters, digits and
    -_.~; a space as %20), a run of such bytes at a time: template values are mostly Chinese."""
    return _RESERVED.sub(lambda run: "%" + run.group().encode().hex("%").upper(), text)


def canonical_query(params: Mapping[str, str]) -> str:
    """Sort the parameters and percent-encode them the way ACS3 signs them (space as %20, only ~ kept)."""
    return "&".join(f"{percent_encoded(k)}={percent_encoded(str(v))}" for k, v in sorted(params.items()))


def authorization(*, method: str, query: str, headers: Mapping[str, str], payload_sha256: str,
                  access_key_id: str, access_key_secret: str) -> str:
    """Return the ACS3-HMAC-SHA256 Authorization header value; every header given is signed."""
    lowered = {k.lower(): v.strip() for k, v in headers.items()}
    signed = ";".join(sorted(lowered))
    canonical_headers = "".join(f"{k}:{lowered[k]}\n" for k in sorted(lowered))
    canonical = f"{method}\n/\n{query}\n{canonical_headers}\n{signed}\n{payload_sha256}"
    to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(access_key_secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{ALGORITHM} Credential={access_key_id},SignedHeaders={signed},Signature={signature}"


@dataclass(frozen=True)
class Outgoing:
    """One SMS to send: the number, its template values as Aliyun takes them (JSON), and our key."""

    phone: str  # used for the send only; never kept
    values: str
    key: str

    def __repr__(self) -> str:
        return f"Outgoing(key={self.key!r})"


@dataclass(frozen=True)
class SendDetail:
    """One row of QuerySendDetails: what Aliyun knows about a message it accepted."""

    phone: str
    status: str  # "waiting", "failed", "delivered"
    err_code: str
    out_id: str | None
    template_code: str
    send_date: str
    receive_date: str | None
    content: str


class AliyunSms:
    """The SMS provider Aliyun; SendSms is not idempotent, so `OutId` carries our key for checking afterwards."""

    name = "aliyun"
    title = "阿里云"
    receipts_doc = "SmsReport (HTTP push)."

    def __init__(self, *, access_key_id: str, access_key_secret: str, sign_name: str, template_code: str,
                 client: httpx.AsyncClient, endpoint: str = "https://dysmsapi.aliyuncs.com",
                 clock: Clock | None = None, templates: Mapping[str, str] | None = None, batch: int = 1) -> None:
        self._key_id, self._secret = access_key_id, access_key_secret
        self.sign_name, self.template_code = sign_name, template_code
        # The offers template, and those of the other kinds of message (a job fair's invitation).
        self.templates = {OFFERS: template_code, **(templates or {})}
        self._client = client
        self._base = endpoint.rstrip("/")
        self._host = httpx.URL(self._base).netloc.decode("ascii")
        self._clock = clock or SystemClock()
        self.batch = max(1, min(batch, BATCH_MOST))
        self._batches: dict[str, Coalesced[Outgoing, SendResult | ProviderError]] = {}  # by template code

    async def send_sms(self, *, phone: str, template_params: Mapping[str, str], text: str,
                       idempotency_key: str, template: str = OFFERS) -> SendResult:
        """Send one templated SMS (`text` is not sent: Aliyun renders the approved template itself)."""
        code = template_for(self.templates, template, provider=self.name)
        sms = Outgoing(phone, json.dumps(dict(template_params), ensure_ascii=False, separators=(",", ":")),
                       idempotency_key)
        if self.batch == 1:
            return await self._send_one(code, sms)
        together = self._batches.get(code)
        if together is None:
            together = self._batches[code] = Coalesced(partial(self._send_many, code), name="aliyun-send",
                                                       most=self.batch)
        answer = await together.ask(sms)
        if isinstance(answer, ProviderError):
            raise answer
        return answer

    async def _send_one(self, code: str, sms: Outgoing) -> SendResult:
        params = {"PhoneNumbers": sms.phone, "SignName": self.sign_name, "TemplateCode": code,
                  "TemplateParam": sms.values, "OutId": sms.key}
        body = await self._call("SendSms", params)
        return self._sent(body)

    async def _send_many(self, code: str, messages: list[Outgoing]) -> list[SendResult | ProviderError]:
        """Send the messages in one request and answer each: sent, or its own failure."""
        if len(messages) == 1:
            return [await _answer(self._send_one(code, messages[0]))]
        form = canonical_query({"PhoneNumberJson": json.dumps([m.phone for m in messages]),
                                "SignNameJson": json.dumps([self.sign_name] * len(messages), ensure_ascii=False),
                                "TemplateParamJson": "[" + ",".join(m.values for m in messages) + "]"})
        try:
            # No OutId: it would name the request, not a message; a look-up after a lost answer reads the text.
            body = await self._call("SendBatchSms", {"TemplateCode": code}, form=form.encode())
        except ProviderError as error:
            if error.maybe_sent or not (error.kind is ErrorKind.permanent_request or error.code in _ONE_MAY_CAUSE):
                return [error.again() for _ in messages]
            return list(await asyncio.gather(*(_answer(self._send_one(code, m)) for m in messages)))
        return [self._sent(body) for _ in messages]

    def _sent(self, body: Mapping[str, Any]) -> SendResult:
        return SendResult(provider=self.name, status="sent", provider_message_id=body["BizId"], raw_code="OK",
                          id_per_request=True)

    async def query_send_details(self, *, phone: str, send_date: date | None = None, biz_id: str | None = None,
                                 out_id: str | None = None) -> list[SendDetail]:
        """List what was sent to a number on a day (local date, default today), optionally one BizId or one OutId."""
        day = (send_date or local_today(self._clock)).strftime("%Y%m%d")
        found: list[SendDetail] = []
        page = 1
        while True:
            params = {"PhoneNumber": phone, "SendDate": day,
                      "PageSize": str(PAGE_SIZE), "CurrentPage": str(page)}
            if biz_id:
                params["BizId"] = biz_id
            body = await self._call("QuerySendDetails", params)
            rows = (body.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
            found.extend(_detail(row) for row in rows)
            if not rows or page * PAGE_SIZE >= int(body.get("TotalCount") or 0):
                break
            page += 1
        # QuerySendDetails cannot filter by OutId; the rows carry it, so filter here.
        return [d for d in found if out_id is None or d.out_id == out_id]

    async def look_up(self, doubt: Doubt, *, now: datetime) -> Found | None:
        """Whether Aliyun took the message in doubt: QuerySendDetails lists it once accepted, with our OutId if it
        went alone, or (sent with other numbers, so with no OutId) by its text."""
        details = [d for d in await self.query_send_details(phone=doubt.phone, send_date=doubt.sent_on)
                   if d.out_id == doubt.key or (d.out_id is None and doubt.text and same_text(d.content, doubt.text))]
        if not details:
            return None
        detail = details[0]
        status = {"delivered": "delivered", "failed": "failed"}.get(detail.status, "sent")
        return Found(status=status, code=detail.status, error=detail.err_code, message_id=None)  # rows carry no BizId

    @staticmethod
    def parse_receipts(body: bytes) -> list[ReceiptIn]:
        """SmsReport: a JSON array of {biz_id, out_id, success, err_code, err_msg, phone_number, …}."""
        return [ReceiptIn(provider=AliyunSms.name, provider_message_id=str(item["biz_id"]),
                          delivered=is_true(item["success"]), status=str(item.get("err_code") or ""),
                          detail=short(item.get("err_msg")), key=str(item.get("out_id") or "") or None,
                          number=str(item.get("phone_number") or "") or None)
                for item in report_array(body)]

    @staticmethod
    def parse_replies(body: bytes) -> list[SmsReply]:
        """SmsUp: a JSON array of {phone_number, content, send_time, sequence_id, sign_name, dest_code}."""
        return read_replies(body, content="content", number="phone_number", marks=("send_time", "sequence_id"))

    @staticmethod
    def acknowledge() -> Response:
        return JSONResponse(PUSH_TAKEN)

    @staticmethod
    def refuse(reason: str) -> Response:
        return JSONResponse({"code": 1, "msg": reason}, status_code=400)

    async def _call(self, action: str, params: Mapping[str, str], *, form: bytes | None = None) -> dict[str, Any]:
        query = canonical_query(params)
        payload = EMPTY_BODY_SHA256 if form is None else hashlib.sha256(form).hexdigest()
        headers = {"host": self._host, "x-acs-action": action, "x-acs-version": API_VERSION,
                   "x-acs-date": self._clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "x-acs-signature-nonce": uuid.uuid4().hex, "x-acs-content-sha256": payload}
        if form is not None:
            headers["content-type"] = FORM
        headers["Authorization"] = authorization(method="POST", query=query, headers=headers, payload_sha256=payload,
                                                 access_key_id=self._key_id, access_key_secret=self._secret)
        try:
            response = await call(self._client, "POST", f"{self._base}/?{query}", headers=headers, content=form)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise self._error(ErrorKind.transient, type(exc).__name__, "could not reach Aliyun") from exc
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise self._error(ErrorKind.transient, type(exc).__name__,
                              "no answer; SendSms is not idempotent: query before sending again",
                              maybe_sent=True) from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        code = str(body.get("Code") or f"HTTP{response.status_code}")
        if response.status_code == 200 and code == "OK":
            return body
        kind = classify(code, http_status=response.status_code)
        raise self._error(kind, code, str(body.get("Message") or ""), maybe_sent=response.status_code >= 500,
                          retry_after=self._retry_after(kind, code, body, response.headers))

    def _retry_after(self, kind: ErrorKind, code: str, body: dict, headers: Mapping[str, str]) -> float | None:
        if kind is not ErrorKind.rate_limited:
            return None
        if code == "isv.DAY_LIMIT_CONTROL":
            return seconds_until(self._clock, "day")
        if code == "isv.MONTH_LIMIT_CONTROL":
            return seconds_until(self._clock, "month")
        if code == "isv.BUSINESS_LIMIT_CONTROL":
            message = str(body.get("Message") or "")
            # Minute and hour windows are natural clock windows; the day window rolls over 24 h [D].
            if "分钟级" in message:
                return seconds_until(self._clock, "minute")
            if "小时级" in message:
                return seconds_until(self._clock, "hour")
            return 24 * 3600.0
        # API throttling: x-acs-retry-after is in milliseconds (tea-openapi reads it so) [G].
        return max(1.0, int(headers.get("x-acs-retry-after") or 1000) / 1000)

    def _error(self, kind: ErrorKind, code: str, message: str, **extra: Any) -> ProviderError:
        return ProviderError(kind, code, message, provider=self.name, **extra)


async def _answer(send: Awaitable[SendResult]) -> SendResult | ProviderError:
    """The send's result, or its failure as an answer (one message's, among others answered together)."""
    try:
        return await send
    except ProviderError as error:
        return error


def same_text(listed: str, ours: str) -> bool:
    """Whether QuerySendDetails' `Content` is the SMS we composed: the same words, with or without the signature in
    front (【…】) and whatever whitespace the listing keeps [G]."""
    return _words(listed) == _words(ours)


def _words(text: str) -> str:
    return "".join(_SIGNATURE.sub("", text.strip(), count=1).split())


def _detail(row: Mapping[str, Any]) -> SendDetail:
    return SendDetail(phone=str(row.get("PhoneNum", "")), status=_SEND_STATUS.get(int(row.get("SendStatus") or 1),
                      "waiting"), err_code=str(row.get("ErrCode") or ""), out_id=row.get("OutId") or None,
                      template_code=str(row.get("TemplateCode") or ""), send_date=str(row.get("SendDate") or ""),
                      receive_date=row.get("ReceiveDate") or None, content=str(row.get("Content") or ""))
