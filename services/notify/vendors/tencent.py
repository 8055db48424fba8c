"""Tencent Cloud SMS: SendSms and PullSmsSendStatusByPhoneNumber (2021-01-11) over async httpx, signed with
TC3-HMAC-SHA256, and what Tencent pushes back (delivery and reply callbacks) with the answer it expects
(docs/providers.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from fastapi.responses import JSONResponse
from starlette.responses import Response

from services.notify.vendors.base import (
    OFFERS,
    Doubt,
    ErrorKind,
    Found,
    NotYet,
    ProviderError,
    SendResult,
    seconds_until,
    template_for,
)
from services.notify.vendors.http import call
from services.notify.vendors.pushes import ReceiptIn, SmsReply, read_replies, report_array, short
from shared.clock import Clock, SystemClock

API_VERSION = "2021-01-11"
SERVICE = "sms"
ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json"
PULL_LIMIT = 100  # PullSmsSendStatusByPhoneNumber's maximum; its Offset is "currently fixed at 0", so no paging
PULL_MAX_AGE = timedelta(days=6, hours=23)  # the pull reaches back seven days at most; a margin for clock skew
# The pull lists a message only once its carrier has reported on it, usually within seconds of the send. Not listed
# within this time of the send in doubt: ask once more when it ends; still not listed then: not sent.
REPORT_WAIT = timedelta(minutes=5)
# How far before the send in doubt the pull looks: Tencent filters by time only and our key is matched in the rows;
# a number gets a few messages a day, far below the pull's 100 rows.
PULL_LOOKBACK = timedelta(days=1)
PUSH_TAKEN = {"result": 0, "errmsg": "OK"}  # the answer a push wants

_KINDS = {
    "InternalError.Timeout": ErrorKind.transient,
    "InternalError.SendAndRecvFail": ErrorKind.transient,
    "InternalError.OtherError": ErrorKind.transient,
    "ClientNetworkError": ErrorKind.transient,
    "ServerNetworkError": ErrorKind.transient,
    "1008": ErrorKind.transient,
    "FailedOperation.PhoneNumberInBlacklist": ErrorKind.permanent_user,
    "FailedOperation.InsufficientBalanceInSmsPackage": ErrorKind.provider_down,
}
# Ordered: the first matching prefix decides.
_PREFIXES = (
    ("RequestLimitExceeded", ErrorKind.transient),  # API-call throttling; the SDK's retryer retries it
    ("LimitExceeded.", ErrorKind.rate_limited),  # per-number frequency limits
    ("AuthFailure", ErrorKind.provider_down),
    ("UnauthorizedOperation", ErrorKind.provider_down),
    ("InternalError", ErrorKind.transient),
)
_WINDOWS = {"LimitExceeded.PhoneNumberThirtySecondLimit": 30.0, "LimitExceeded.DeliveryFrequencyLimit": 60.0}


def classify(code: str) -> ErrorKind:
    """Map a Tencent error code (request-level `Error.Code` or a number's `Code`) to what the caller should do."""
    if code in _KINDS:
        return _KINDS[code]
    for prefix, kind in _PREFIXES:
        if code.startswith(prefix):
            return kind
    # InvalidParameter*, FailedOperation.* (template, signature, parameters), UnsupportedOperation.*.
    return ErrorKind.permanent_request


def signing_key(secret_key: str, day: str) -> bytes:
    """Derive the TC3 key: HMAC chain "TC3"+SecretKey → date → service → "tc3_request"."""
    key = ("TC3" + secret_key).encode()
    for part in (day, SERVICE, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def authorization(*, secret_id: str, secret_key: str, host: str, body: bytes, timestamp: int) -> str:
    """Return the TC3-HMAC-SHA256 Authorization header for a JSON POST to / (content-type and host signed)."""
    day = datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
    canonical = (f"POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{host}\n\ncontent-type;host\n"
                 f"{hashlib.sha256(body).hexdigest()}")
    scope = f"{day}/{SERVICE}/tc3_request"
    to_sign = f"{ALGORITHM}\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(signing_key(secret_key, day), to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


def e164(phone: str) -> str:
    """Tencent wants +86 numbers; the platform stores mainland mobiles as 11 digits."""
    return phone if phone.startswith("+") else f"+86{phone}"


@dataclass(frozen=True)
class StatusReport:
    """One row of PullSmsSendStatusByPhoneNumber: a message whose carrier has reported on it (the number left out)."""

    serial_no: str
    session_context: str | None  # our idempotency key, echoed (the account must have the echo enabled)
    status: str  # "delivered" (ReportStatus SUCCESS) or "failed" (FAIL)
    description: str  # the carrier's code, e.g. DELIVRD, or the failure such as MK:0001
    received_at: datetime | None  # UserReceiveTime


class TencentSms:
    """The SMS provider Tencent Cloud; `SessionContext` carries our idempotency key and comes back in receipts."""

    name = "tencent"
    title = "腾讯云"
    receipts_doc = "The delivery-status callback."

    def __init__(self, *, secret_id: str, secret_key: str, sdk_app_id: str, sign_name: str, template_id: str,
                 client: httpx.AsyncClient, endpoint: str = "https://sms.tencentcloudapi.com",
                 region: str = "ap-guangzhou", clock: Clock | None = None,
                 templates: Mapping[str, str] | None = None) -> None:
        self._secret_id, self._secret_key = secret_id, secret_key
        self.sdk_app_id, self.sign_name, self.template_id, self.region = sdk_app_id, sign_name, template_id, region
        self.templates = {OFFERS: template_id, **(templates or {})}
        self._client = client
        self._base = endpoint.rstrip("/")
        self._host = httpx.URL(self._base).netloc.decode("ascii")
        self._clock = clock or SystemClock()

    async def send_sms(self, *, phone: str, template_params: Mapping[str, str], text: str,
                       idempotency_key: str, template: str = OFFERS) -> SendResult:
        """Send one templated SMS; the template's {1}…{n} take the parameter values in order."""
        template_id = template_for(self.templates, template, provider=self.name)
        payload = {"PhoneNumberSet": [e164(phone)], "SmsSdkAppId": self.sdk_app_id, "SignName": self.sign_name,
                   "TemplateId": template_id, "TemplateParamSet": list(template_params.values()),
                   "SessionContext": idempotency_key}
        answer = await self._call("SendSms", payload)
        status = (answer.get("SendStatusSet") or [{}])[0]
        code = str(status.get("Code") or "")
        if code != "Ok":
            raise self._error(code or "MissingSendStatus", str(status.get("Message") or ""))
        return SendResult(provider=self.name, status="sent", provider_message_id=str(status["SerialNo"]),
                          raw_code=code)

    async def pull_send_status(self, *, phone: str, begin: datetime, end: datetime,
                               session_context: str | None = None) -> list[StatusReport]:
        """List the status reports for one number's messages between two moments (at most seven days back),
        optionally only those carrying one SessionContext. A message accepted but not yet reported on by its
        carrier is not listed: an empty answer soon after a send does not mean it was not sent."""
        begin = max(begin, self._clock.now() - PULL_MAX_AGE)
        payload = {"BeginTime": int(begin.timestamp()), "EndTime": int(end.timestamp()), "Offset": 0,
                   "Limit": PULL_LIMIT, "PhoneNumber": e164(phone), "SmsSdkAppId": self.sdk_app_id}
        answer = await self._call("PullSmsSendStatusByPhoneNumber", payload, sends=False)
        reports = [_report(row) for row in answer.get("PullSmsSendStatusSet") or []]
        # The API cannot filter by SessionContext; the rows carry it, so filter here.
        return [r for r in reports if session_context is None or r.session_context == session_context]

    async def look_up(self, doubt: Doubt, *, now: datetime) -> Found | NotYet | None:
        """Whether Tencent took the message in doubt, from the status pull (matched by our SessionContext). Nothing
        listed within REPORT_WAIT of the send may only mean no report yet: wait for it once."""
        since = doubt.sent_at or now
        reports = await self.pull_send_status(phone=doubt.phone, begin=since - PULL_LOOKBACK, end=now,
                                              session_context=doubt.key)
        if not reports:
            if not doubt.waited and doubt.sent_at is not None and now < doubt.sent_at + REPORT_WAIT:
                return NotYet(doubt.sent_at + REPORT_WAIT)
            return None
        # A copy sent twice before this check existed may have two reports: one delivered is enough.
        report = next((r for r in reports if r.status == "delivered"), reports[0])
        return Found(status=report.status, code=report.status, error=report.description,
                     message_id=report.serial_no or None)

    @staticmethod
    def parse_receipts(body: bytes) -> list[ReceiptIn]:
        """The delivery callback: a JSON array of {sid, report_status, errmsg, description, mobile, …}."""
        return [ReceiptIn(provider=TencentSms.name, provider_message_id=str(item["sid"]),
                          delivered=str(item.get("report_status", "")).upper() == "SUCCESS",
                          status=str(item.get("errmsg") or item.get("report_status") or ""),
                          detail=short(item.get("description"))) for item in report_array(body)]

    @staticmethod
    def parse_replies(body: bytes) -> list[SmsReply]:
        """The reply callback: a JSON array of {mobile, text, time, extend, nationcode, sign}."""
        return read_replies(body, content="text", number="mobile", marks=("time",))

    @staticmethod
    def acknowledge() -> Response:
        return JSONResponse(PUSH_TAKEN)

    @staticmethod
    def refuse(reason: str) -> Response:
        return JSONResponse({"result": 1, "errmsg": reason}, status_code=400)

    async def _call(self, action: str, payload: Mapping[str, Any], *, sends: bool = True) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(self._clock.now().timestamp())
        headers = {"Host": self._host, "Content-Type": CONTENT_TYPE, "X-TC-Action": action,
                   "X-TC-Version": API_VERSION, "X-TC-Region": self.region, "X-TC-Timestamp": str(timestamp),
                   "Authorization": authorization(secret_id=self._secret_id, secret_key=self._secret_key,
                                                  host=self._host, body=body, timestamp=timestamp)}
        try:
            response = await call(self._client, "POST", f"{self._base}/", content=body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise self._error("ClientNetworkError", f"could not reach Tencent ({type(exc).__name__})") from exc
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            lost = "; SendSms is not idempotent" if sends else ""
            raise self._error("ClientNetworkError", f"no answer ({type(exc).__name__}){lost}",
                              maybe_sent=sends) from exc
        try:
            answer = response.json()["Response"]
        except (ValueError, KeyError, TypeError):
            # Like the SDK: anything but a 200 with a Response body is a network-level failure.
            raise self._error("ServerNetworkError", f"HTTP {response.status_code}", maybe_sent=sends) from None
        if error := answer.get("Error"):
            raise self._error(str(error.get("Code")), str(error.get("Message") or ""))
        return answer

    def _error(self, code: str, message: str, *, maybe_sent: bool = False) -> ProviderError:
        kind = classify(code)
        retry_after = None
        if kind is ErrorKind.rate_limited:
            if code in _WINDOWS:
                retry_after = _WINDOWS[code]
            elif "OneHour" in code:
                retry_after = seconds_until(self._clock, "hour")
            else:  # daily limits reset at the natural day's end [3P]
                retry_after = seconds_until(self._clock, "day")
        elif code.startswith("RequestLimitExceeded"):
            retry_after = 1.0
        return ProviderError(kind, code, message, provider=self.name, retry_after=retry_after, maybe_sent=maybe_sent,
                             opted_out=code == "FailedOperation.PhoneNumberInBlacklist")


def _report(row: Mapping[str, Any]) -> StatusReport:
    received = row.get("UserReceiveTime")
    return StatusReport(serial_no=str(row.get("SerialNo") or ""), session_context=row.get("SessionContext") or None,
                        status="delivered" if row.get("ReportStatus") == "SUCCESS" else "failed",
                        description=str(row.get("Description") or ""),
                        received_at=datetime.fromtimestamp(int(received), timezone.utc) if received else None)
