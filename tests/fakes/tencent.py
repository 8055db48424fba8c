"""A fake Tencent Cloud SMS (SendSms and PullSmsSendStatusByPhoneNumber, 2021-01-11): checks TC3-HMAC-SHA256
signatures, answers as Tencent does.

The pull lists, like the real one, only messages whose carrier has reported on them: here, those whose receipt the
test has pushed (`push_receipts`). A message accepted and not yet reported is not listed. SessionContext is echoed in
the pull's rows (a real account has to ask Tencent to turn that echo on).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from services.notify.compose import count_sms, tencent_template
from services.notify.vendors.tencent import TencentSms
from shared.clock import LOCAL_ZONE, Clock
from tests.fakes.server import FakeServer, SentMessage

_AUTH = re.compile(r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/([\w-]+)/tc3_request, "
                   r"SignedHeaders=([\w;-]+), Signature=([0-9a-f]{64})")
# Codes that come back for one number inside SendStatusSet; every other code is a request-level Error.
_PER_NUMBER = ("LimitExceeded.Phone", "InvalidParameterValue.IncorrectPhoneNumber",
               "FailedOperation.PhoneNumberInBlacklist")
PULL = "PullSmsSendStatusByPhoneNumber"
_MESSAGES = {
    "AuthFailure.SignatureFailure": "The provided credentials could not be validated. Please check your signature "
                                    "is correct.",
    "AuthFailure.SecretIdNotFound": "The SecretId is not found, please ensure that your SecretId is correct.",
    "AuthFailure.SignatureExpire": "Signature expired. Timestamp and server time differ by more than 300 s.",
    "FailedOperation.InsufficientBalanceInSmsPackage": "insufficient balance in SMS package",
    "FailedOperation.PhoneNumberInBlacklist": "the number is in the blacklist (the user unsubscribed)",
    "LimitExceeded.PhoneNumberDailyLimit": "the number of sms messages sent from a single mobile number every day "
                                           "exceeds the upper limit",
    "LimitExceeded.PhoneNumberThirtySecondLimit": "the number of sms messages sent from a single mobile number "
                                                  "within 30 seconds exceeds the upper limit",
}


class FakeTencent(FakeServer):
    primary_action = "SendSms"

    def __init__(self, *, secret_id: str = "AKIDfakeTencentSecretId000000000001", secret_key: str = "fake-tencent-key",
                 sdk_app_id: str = "1400000001", sign_names: Iterable[str] = ("兴安就业",),
                 templates: dict[str, str] | None = None, daily_limit: int = 10, thirty_second_limit: int = 1,
                 max_param_length: int | None = None, clock: Clock | None = None) -> None:
        super().__init__(clock=clock)
        self.secret_id, self.secret_key, self.sdk_app_id = secret_id, secret_key, sdk_app_id
        self.sign_names = list(sign_names)
        self.templates = templates or {"1900001": tencent_template()}
        # The sources disagree (10 a natural day [3P], 2 [D]); both are settings of the account, so configurable.
        self.daily_limit, self.thirty_second_limit = daily_limit, thirty_second_limit
        self.max_param_length = max_param_length
        self.blacklist: set[str] = set()  # +86 numbers whose owner replied 回T / TD
        self._serials = itertools.count(1045710669157053657849499619)
        self.reports: dict[str, tuple[datetime, bool, str]] = {}  # SerialNo -> (reported at, delivered, errmsg)

    @property
    def sign_name(self) -> str:
        return self.sign_names[0]

    @property
    def template_id(self) -> str:
        return next(iter(self.templates))

    def routes(self) -> list[Route]:
        return [Route("/", self.guarded(self._handle), methods=["POST"])]

    def provider(self, client: httpx.AsyncClient, **overrides: Any) -> TencentSms:
        """Our Tencent client, configured for this fake (override e.g. secret_key or clock)."""
        settings: dict[str, Any] = {
            "secret_id": self.secret_id, "secret_key": self.secret_key, "sdk_app_id": self.sdk_app_id,
            "sign_name": self.sign_name, "template_id": self.template_id, "endpoint": self.url,
            "clock": self.clock} | overrides
        return TencentSms(client=client, **settings)

    @staticmethod
    def error(code: str, message: str | None = None) -> JSONResponse:
        # Always HTTP 200 and exactly "application/json": the SDK only reads errors from that content type.
        return JSONResponse({"Response": {"Error": {"Code": code, "Message": message or _MESSAGES.get(code, code)},
                                          "RequestId": str(uuid.uuid4())}})

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        if rejected := self._check_signature(request, body):
            return rejected
        action = request.headers.get("x-tc-action")
        if action not in ("SendSms", PULL) or request.headers.get("x-tc-version") != "2021-01-11":
            return self.error("InvalidAction", "The action or version requested is not supported.")
        if action == PULL:
            return await self._pull(body)
        fault = self.take_fault("SendSms")
        if fault and fault.kind == "http":
            return PlainTextResponse("Service Unavailable", status_code=fault.status)
        if fault and fault.kind == "timeout" and not fault.accept:
            await self.hang()
            return self.error("InternalError.Timeout")
        try:
            payload = json.loads(body)
        except ValueError:
            return self.error("InvalidParameter", "The request body is not valid JSON.")
        failure = self.down or (fault.code if fault and fault.kind == "code" else None)
        if failure and not failure.startswith(_PER_NUMBER):
            return self.error(failure, fault.message if fault and not self.down else None)
        if rejected := self._check_request(payload):
            return rejected
        statuses = [self._one(phone, payload, failure) for phone in payload["PhoneNumberSet"]]
        if fault and fault.kind == "timeout":  # accepted, then the answer is lost
            await self.hang()
        return JSONResponse({"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}})

    def _check_signature(self, request: Request, body: bytes) -> JSONResponse | None:
        match = _AUTH.fullmatch(request.headers.get("authorization", ""))
        if not match:
            return self.error("AuthFailure.InvalidAuthorization", "Authorization header is not TC3-HMAC-SHA256.")
        secret_id, day, service, signed, signature = match.groups()
        if secret_id != self.secret_id:
            return self.error("AuthFailure.SecretIdNotFound")
        try:
            timestamp = int(request.headers.get("x-tc-timestamp", ""))
        except ValueError:
            return self.error("AuthFailure.SignatureFailure", "X-TC-Timestamp is missing or not a number.")
        if abs(self.clock.now().timestamp() - timestamp) > 300:
            return self.error("AuthFailure.SignatureExpire")
        if day != datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d") or service != "sms":
            return self.error("AuthFailure.SignatureFailure", "The credential scope does not match the request.")
        names = signed.split(";")
        if not {"content-type", "host"} <= set(names):
            return self.error("AuthFailure.SignatureFailure", "content-type and host must be signed.")
        # Header names and values lowercased and trimmed, as the TC3 documentation says.
        headers = "".join(f"{name}:{request.headers.get(name, '').strip().lower()}\n" for name in names)
        query = request.scope["query_string"].decode("latin-1")
        canonical = f"POST\n/\n{query}\n{headers}\n{signed}\n{hashlib.sha256(body).hexdigest()}"
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{day}/sms/tc3_request\n{digest}"
        key = ("TC3" + self.secret_key).encode()
        for part in (day, "sms", "tc3_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), signature):
            return self.error("AuthFailure.SignatureFailure")
        return None

    async def _pull(self, body: bytes) -> Response:
        """PullSmsSendStatusByPhoneNumber: the reported messages of one number sent between BeginTime and EndTime."""
        fault = self.take_fault(PULL)
        if fault and fault.kind == "http":
            return PlainTextResponse("Service Unavailable", status_code=fault.status)
        if fault and fault.kind == "timeout":
            await self.hang()
            return self.error("InternalError.Timeout")
        if fault:
            return self.error(fault.code, fault.message)
        try:
            payload = json.loads(body)
        except ValueError:
            return self.error("InvalidParameter", "The request body is not valid JSON.")
        missing = [k for k in ("BeginTime", "Offset", "Limit", "PhoneNumber", "SmsSdkAppId") if k not in payload]
        if missing:
            return self.error("MissingParameter", f"The request is missing a required parameter `{missing[0]}`.")
        if payload["SmsSdkAppId"] != self.sdk_app_id:
            return self.error("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId verification failed.")
        numbers = ("BeginTime", "EndTime", "Offset", "Limit")
        if not all(isinstance(payload[k], int) for k in numbers if k in payload):
            return self.error("InvalidParameter", "BeginTime, EndTime, Offset and Limit are integers.")
        if not 1 <= payload["Limit"] <= 100:
            return self.error("InvalidParameterValue", "Limit must be 1 to 100.")
        phone = payload["PhoneNumber"]
        if not re.fullmatch(r"\+861[3-9]\d{9}", str(phone)):
            return self.error("InvalidParameterValue.IncorrectPhoneNumber", "The phone number is not valid E.164.")
        now = self.clock.now()
        begin = max(payload["BeginTime"], int((now - timedelta(days=7)).timestamp()))  # seven days back at most
        end = payload.get("EndTime") or int(now.timestamp())
        rows = []
        for m in self.sent:
            if m.to != phone or m.message_id not in self.reports or not begin <= int(m.at.timestamp()) <= end:
                continue
            at, delivered, errmsg = self.reports[m.message_id]
            rows.append({"UserReceiveTime": int(at.timestamp()), "CountryCode": "86",
                         "SubscriberNumber": phone.removeprefix("+86"), "PhoneNumber": phone,
                         "SerialNo": m.message_id, "ReportStatus": "SUCCESS" if delivered else "FAIL",
                         "Description": "DELIVRD" if delivered else errmsg, "SessionContext": m.key or ""})
        offset = payload["Offset"]
        return JSONResponse({"Response": {"PullSmsSendStatusSet": rows[offset:offset + payload["Limit"]],
                                          "RequestId": str(uuid.uuid4())}})

    def _check_request(self, payload: dict) -> JSONResponse | None:
        if payload.get("SmsSdkAppId") != self.sdk_app_id:
            return self.error("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId verification failed.")
        if payload.get("SignName") not in self.sign_names:
            return self.error("FailedOperation.SignatureIncorrectOrUnapproved")
        template = self.templates.get(str(payload.get("TemplateId")))
        if template is None:
            return self.error("FailedOperation.TemplateIncorrectOrUnapproved")
        values = payload.get("TemplateParamSet") or []
        if len(values) != len(re.findall(r"\{\d+\}", template)) or not all(isinstance(v, str) for v in values):
            return self.error("FailedOperation.TemplateParamSetNotMatchApprovedTemplate")
        if any(re.search(r"https?://|www\.", v, re.I) for v in values):
            return self.error("InvalidParameterValue.ProhibitedUseUrlInTemplateParameter")
        if self.max_param_length and any(len(v) > self.max_param_length for v in values):
            return self.error("InvalidParameterValue.TemplateParameterLengthLimit")
        phones = payload.get("PhoneNumberSet") or []
        if not phones or len(phones) > 200:
            return self.error("LimitExceeded.PhoneNumberCountLimit", "1 to 200 numbers per request.")
        return None

    def _one(self, phone: str, payload: dict, failure: str | None) -> dict:
        """Send to one number: its SendStatus, successful or not."""
        code = failure or self._number_problem(phone)
        if code:
            return {"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": payload.get("SessionContext", ""),
                    "Code": code, "Message": _MESSAGES.get(code, code), "IsoCode": "CN"}
        values = payload["TemplateParamSet"]
        template = self.templates[str(payload["TemplateId"])]
        text = f"【{payload['SignName']}】" + re.sub(r"\{(\d+)\}", lambda m: values[int(m.group(1)) - 1], template)
        serial = f"5000:{next(self._serials)}"
        self.record(SentMessage(to=phone, params=list(values), key=payload.get("SessionContext"), message_id=serial,
                                text=text, template=str(payload["TemplateId"]), at=self.clock.now()))
        return {"SerialNo": serial, "PhoneNumber": phone, "Fee": count_sms(text)[1],
                "SessionContext": payload.get("SessionContext", ""), "Code": "Ok", "Message": "send success",
                "IsoCode": "CN"}

    def _number_problem(self, phone: str) -> str | None:
        if not re.fullmatch(r"\+861[3-9]\d{9}", phone):
            return "InvalidParameterValue.IncorrectPhoneNumber"
        if phone in self.blacklist:
            return "FailedOperation.PhoneNumberInBlacklist"
        now = self.clock.now()
        mine = [m.at for m in self.sent if m.to == phone]
        if sum(now - at < timedelta(seconds=30) for at in mine) >= self.thirty_second_limit:
            return "LimitExceeded.PhoneNumberThirtySecondLimit"
        today = now.astimezone(LOCAL_ZONE).date()  # a natural day in China's time
        if sum(at.astimezone(LOCAL_ZONE).date() == today for at in mine) >= self.daily_limit:
            return "LimitExceeded.PhoneNumberDailyLimit"
        return None

    async def push_receipts(self, url: str, *, delivered: bool = True, errmsg: str = "MK:0001",
                            only: Iterable[str] | None = None, client: httpx.AsyncClient | None = None,
                            ) -> list[httpx.Response]:
        """POST one delivery-callback batch (a JSON array) for the messages not yet reported (or only these ids)."""
        messages = self.unreported(only)
        reports = [{"user_receive_time": self.local_time(), "nationcode": "86", "mobile": m.to.removeprefix("+86"),
                    "report_status": "SUCCESS" if delivered else "FAIL", "errmsg": "DELIVRD" if delivered else errmsg,
                    "description": "用户短信送达成功" if delivered else "用户短信送达失败", "sid": m.message_id}
                   for m in messages]
        for m in messages:
            self.receipts.pushed[m.message_id] = "delivered" if delivered else "failed"
            self.reports[m.message_id] = (self.clock.now(), delivered, "DELIVRD" if delivered else errmsg)
        return await self.post(url, [{"json": reports}], client) if reports else []

    async def push_reply(self, url: str, *, phone: str, content: str,
                         client: httpx.AsyncClient | None = None) -> httpx.Response:
        """POST one reply as Tencent's reply callback does (a JSON array; `time` in Unix seconds)."""
        body = [{"extend": "", "mobile": phone.removeprefix("+86"), "nationcode": "86", "sign": self.sign_name,
                 "text": content, "time": int(self.clock.now().timestamp())}]
        [answer] = await self.post(url, [{"json": body}], client)
        return answer

    @staticmethod
    def receipt_acknowledged(response: httpx.Response) -> bool:
        """Did the callback answer as Tencent expects ({"result":0,"errmsg":"OK"})?"""
        return response.status_code == 200 and response.json().get("result") == 0
