"""A fake Aliyun Dysmsapi: checks ACS3-HMAC-SHA256 signatures, answers SendSms, SendBatchSms and QuerySendDetails as
Aliyun does."""

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
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.notify.compose import aliyun_template, count_sms
from services.notify.vendors.aliyun import AliyunSms
from shared.clock import LOCAL_ZONE, Clock
from tests.fakes.server import FakeServer, Fault, SentMessage

_AUTH = re.compile(r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)")
_REQUIRED_SIGNED = {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
                    "x-acs-content-sha256"}
# Codes Aliyun answers with an HTTP error status (the rest are business errors inside an HTTP 200).
_HTTP_STATUS = {"IncompleteSignature": 400, "SignatureDoesNotMatch": 400, "InvalidAccessKeyId.NotFound": 404,
                "InvalidTimeStamp.Expired": 400, "SignatureNonceUsed": 400, "Forbidden.RAM": 403,
                "InvalidAction.NotFound": 404, "InvalidVersion": 400, "MissingParameter": 400,
                "Throttling.User": 400, "ServiceUnavailable": 503, "InternalError": 500}
_MESSAGES = {"isv.AMOUNT_NOT_ENOUGH": "账户余额不足", "isv.OUT_OF_SERVICE": "业务停机", "isp.SYSTEM_ERROR": "系统错误",
             "isv.MOBILE_NUMBER_ILLEGAL": "非法手机号", "isv.TEMPLATE_MISSING_PARAMETERS": "模板缺少变量",
             "isv.SMS_TEMPLATE_ILLEGAL": "该账号下找不到对应模板",
             "isv.SMS_SIGNATURE_ILLEGAL": "该账号下找不到对应签名",
             "isv.INVALID_JSON_PARAM": "JSON参数不合法，只接受字符串值", "isv.PARAM_LENGTH_LIMIT": "参数超出长度限制",
             "isv.PARAM_NOT_SUPPORT_URL": "不支持URL", "isv.DAY_LIMIT_CONTROL": "触发日发送限额",
             "isv.MONTH_LIMIT_CONTROL": "触发月发送限额", "isp.RAM_PERMISSION_DENY": "RAM权限DENY",
             "SignatureDoesNotMatch": "Specified signature does not match our calculation.",
             "InvalidAccessKeyId.NotFound": "Specified access key is not found.",
             "ServiceUnavailable": "The request has failed due to a temporary failure of the server."}
_SKEW = timedelta(minutes=15)
BATCH_MOST = 100  # numbers in one SendBatchSms [D]
_MOBILE = re.compile(r"(\+?86)?1[3-9]\d{9}")
_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z")
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_UNRESERVED = re.compile(r"[^A-Za-z0-9_.~-]+")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _unquote(text: str) -> str:
    """Percent-decoding as urllib's unquote does it (UTF-8, bad bytes replaced), a run of escapes at a time."""
    return _ESCAPES.sub(lambda run: bytes.fromhex(run.group().replace("%", "")).decode("utf-8", "replace"), text)


def _quote(text: str) -> str:
    """RFC 3986 percent-encoding as ACS3 signs: every byte but letters, digits and -_.~ (space as %20)."""
    return _UNRESERVED.sub(lambda run: "%" + run.group().encode().hex("%").upper(), text)


def _render(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], template)


def query_params(query: str) -> dict[str, str]:
    """A query string's parameters as urllib's parse_qsl reads them ("+" a space, blank values kept)."""
    pairs = (part.partition("=") for part in query.split("&") if part)
    return {_unquote(name.replace("+", " ")): _unquote(value.replace("+", " ")) for name, _, value in pairs}


class FakeAliyun(FakeServer):
    primary_action = "SendSms"

    def __init__(self, *, access_key_id: str = "LTAI5tFakeAccessKey01", access_key_secret: str = "fake-aliyun-secret",
                 sign_names: Iterable[str] = ("兴安就业",), templates: dict[str, str] | None = None,
                 daily_limit: int = 50, max_param_length: int | None = None, clock: Clock | None = None) -> None:
        super().__init__(clock=clock)
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        self.sign_names = list(sign_names)
        self.templates = templates or {"SMS_490250001": aliyun_template()}
        self.daily_limit = daily_limit  # notifications per (signature, template, number) in a rolling 24 h [D]
        self.max_param_length = max_param_length  # per template variable [G]; None: unchecked
        self._nonces: set[str] = set()
        self._biz_ids = itertools.count(900619746936498440)
        self._reply_sequence = itertools.count(1)
        self._last_reply: list[dict[str, Any]] = []
        self._by_number: dict[str, list[SentMessage]] = {}  # what each number was sent, for the limit and look-ups

    @property
    def sign_name(self) -> str:
        return self.sign_names[0]

    @property
    def template_code(self) -> str:
        return next(iter(self.templates))

    def record(self, message: SentMessage) -> None:
        super().record(message)
        self._by_number.setdefault(message.to, []).append(message)

    def routes(self) -> list[Route]:
        return [Route("/", self.guarded(self._handle), methods=["POST", "GET"])]

    def provider(self, client: httpx.AsyncClient, **overrides: Any) -> AliyunSms:
        """Our Aliyun client, configured for this fake (override e.g. access_key_secret or clock)."""
        settings: dict[str, Any] = {"access_key_id": self.access_key_id, "access_key_secret": self.access_key_secret,
                    "sign_name": self.sign_name, "template_code": self.template_code, "endpoint": self.url,
                    "clock": self.clock} | overrides
        return AliyunSms(client=client, **settings)

    def answer(self, code: str, message: str | None = None, **fields: object) -> JSONResponse:
        """Answer in Aliyun's form: HTTP errors carry HostId/Recommend; business codes come inside an HTTP 200."""
        if code == "isv.BUSINESS_LIMIT_CONTROL":
            message = message or f"触发天级流控Permits:{self.daily_limit}"
        body = {"RequestId": str(uuid.uuid4()).upper(), "Code": code, "Message": message or _MESSAGES.get(code, code),
                **fields}
        status = _HTTP_STATUS.get(code, 200)
        if status != 200:
            body |= {"HostId": "dysmsapi.aliyuncs.com",
                     "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}&product=Dysmsapi"}
        return JSONResponse(body, status_code=status)

    async def _handle(self, request: Request) -> JSONResponse:
        body = await request.body()
        params = query_params(request.scope["query_string"].decode("latin-1"))
        if rejected := self._check_signature(request, params, body):
            return rejected
        action = request.headers.get("x-acs-action", "")
        if request.headers.get("x-acs-version") != "2017-05-25":
            return self.answer("InvalidVersion", "Specified parameter Version is not valid.")
        if body and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            params |= query_params(body.decode("latin-1"))  # SendBatchSms sends its arrays as a form (signed by hash)
        if action in ("SendSms", "SendBatchSms"):
            fault = self.take_fault(action)
            if failed := await self._failed(fault):
                return failed
            return await (self._send if action == "SendSms" else self._send_batch)(params, fault)
        if action == "QuerySendDetails":
            self.take_fault(action)
            return self._query(params)
        return self.answer("InvalidAction.NotFound", "Specified api is not found, please check your url and method.")

    def _check_signature(self, request: Request, params: dict[str, str], body: bytes) -> JSONResponse | None:
        match = _AUTH.fullmatch(request.headers.get("authorization", ""))
        if not match:
            return self.answer("IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        key_id, signed, signature = match.groups()
        if key_id != self.access_key_id:
            return self.answer("InvalidAccessKeyId.NotFound")
        names = signed.split(";")
        if missing := _REQUIRED_SIGNED - set(names):
            return self.answer("IncompleteSignature", f"Headers not signed: {','.join(sorted(missing))}")
        if request.headers.get("x-acs-content-sha256") != _sha256(body):
            return self.answer("SignatureDoesNotMatch", "x-acs-content-sha256 does not match the body.")
        stamp = _DATE.fullmatch(request.headers.get("x-acs-date", ""))
        try:
            if stamp is None:
                raise ValueError("not yyyy-MM-ddTHH:mm:ssZ")
            year, month, day, hour, minute, second = map(int, stamp.groups())
            sent_at = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
        except ValueError:
            return self.answer("InvalidTimeStamp.Expired", "Specified time stamp or date value is not well formatted.")
        if abs(self.clock.now() - sent_at) > _SKEW:
            return self.answer("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        # The recipe of docs/providers.md, rebuilt from what arrived (never from what the client meant to send).
        query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(params.items()))
        headers = "".join(f"{name}:{request.headers.get(name, '').strip()}\n" for name in names)
        canonical = f"{request.method}\n{request.url.path}\n{query}\n{headers}\n{signed}\n{_sha256(body)}"
        to_sign = f"ACS3-HMAC-SHA256\n{_sha256(canonical.encode())}"
        expected = hmac.new(self.access_key_secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return self.answer("SignatureDoesNotMatch", "Specified signature does not match our calculation. "
                               f"server string to sign is:{to_sign}")
        nonce = request.headers["x-acs-signature-nonce"]
        if nonce in self._nonces:
            return self.answer("SignatureNonceUsed", "Specified signature nonce was used already.")
        self._nonces.add(nonce)
        return None

    async def _failed(self, fault: Fault | None) -> JSONResponse | None:
        """A send's failure, as switched on (down) or queued; None: it goes on (a timeout that accepts hangs later)."""
        if self.down:
            return self.answer(self.down)
        if fault and fault.kind == "http":
            return self.answer("ServiceUnavailable" if fault.status >= 503 else "InternalError")
        if fault and fault.kind == "code":
            return self.answer(fault.code, fault.message)
        if fault and fault.kind == "timeout" and not fault.accept:
            await self.hang()
            return self.answer("isp.SYSTEM_ERROR")
        return None

    async def _send(self, params: dict[str, str], fault: Fault | None) -> JSONResponse:
        if "PhoneNumbers" not in params or "SignName" not in params or "TemplateCode" not in params:
            return self.answer("MissingParameter", "PhoneNumbers, SignName and TemplateCode are mandatory.")
        if params["SignName"] not in self.sign_names:
            return self.answer("isv.SMS_SIGNATURE_ILLEGAL")
        template = self.templates.get(params["TemplateCode"])
        if template is None:
            return self.answer("isv.SMS_TEMPLATE_ILLEGAL")
        try:
            values = json.loads(params.get("TemplateParam") or "{}")
            assert isinstance(values, dict) and all(isinstance(v, str) for v in values.values())
        except (ValueError, AssertionError):
            return self.answer("isv.INVALID_JSON_PARAM")
        if rejected := self._check_values(template, values):
            return rejected
        phones = params["PhoneNumbers"].split(",")
        return await self._take(phones, [params["SignName"]] * len(phones), [values] * len(phones),
                                params["TemplateCode"], template, out_id=params.get("OutId"), fault=fault)

    async def _send_batch(self, params: dict[str, str], fault: Fault | None) -> JSONResponse:
        """SendBatchSms: one template, and per number its signature and values (the form's three JSON arrays)."""
        if not all(params.get(name) for name in ("PhoneNumberJson", "SignNameJson", "TemplateCode")):
            return self.answer("MissingParameter", "PhoneNumberJson, SignNameJson and TemplateCode are mandatory.")
        template = self.templates.get(params["TemplateCode"])
        if template is None:
            return self.answer("isv.SMS_TEMPLATE_ILLEGAL")
        try:
            phones, signs = json.loads(params["PhoneNumberJson"]), json.loads(params["SignNameJson"])
            values = json.loads(params.get("TemplateParamJson") or "null") or [{} for _ in phones]
            assert all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in (phones, signs))
            assert isinstance(values, list) and all(isinstance(v, dict) and all(isinstance(x, str) for x in v.values())
                                                    for v in values)
        except (ValueError, AssertionError):
            return self.answer("isv.INVALID_JSON_PARAM")
        if not len(phones) == len(signs) == len(values):
            return self.answer("isv.INVALID_PARAMETERS", "号码、签名与模板变量的个数不一致")  # [G]
        if len(phones) > BATCH_MOST:
            return self.answer("isv.MOBILE_COUNT_OVER_LIMIT", f"手机号码数量超过{BATCH_MOST}个")
        for each in values:
            if rejected := self._check_values(template, each):
                return rejected
        return await self._take(phones, signs, values, params["TemplateCode"], template,
                                out_id=params.get("OutId"), fault=fault)

    async def _take(self, phones: list[str], signs: list[str], values: list[dict[str, str]], code: str, template: str,
                    *, out_id: str | None, fault: Fault | None) -> JSONResponse:
        """Accept every number of the request, or none: a request refused for one number sends nothing [G]."""
        if any(sign not in self.sign_names for sign in signs):
            return self.answer("isv.SMS_SIGNATURE_ILLEGAL")
        if any(not _MOBILE.fullmatch(p) for p in phones):
            return self.answer("isv.MOBILE_NUMBER_ILLEGAL")
        now = self.clock.now()
        for phone in phones:
            recent = [m for m in self._by_number.get(phone, ()) if m.template == code
                      and now - m.at < timedelta(hours=24)]
            if len(recent) >= self.daily_limit:
                return self.answer("isv.BUSINESS_LIMIT_CONTROL", f"触发天级流控Permits:{self.daily_limit}")
        biz_id = f"{next(self._biz_ids)}^0"
        for phone, sign, each in zip(phones, signs, values, strict=True):
            text = f"【{sign}】" + _render(template, each)
            self.record(SentMessage(to=phone, params=each, key=out_id, message_id=biz_id, text=text, template=code,
                                    at=now))
        if fault and fault.kind == "timeout":  # accepted, then the answer is lost
            await self.hang()
        return self.answer("OK", "OK", BizId=biz_id)

    def _check_values(self, template: str, values: dict[str, str]) -> JSONResponse | None:
        if set(re.findall(r"\$\{(\w+)\}", template)) - set(values):
            return self.answer("isv.TEMPLATE_MISSING_PARAMETERS")
        if any(re.search(r"https?://|www\.", v, re.I) for v in values.values()):
            return self.answer("isv.PARAM_NOT_SUPPORT_URL")
        if self.max_param_length and any(len(v) > self.max_param_length for v in values.values()):
            return self.answer("isv.PARAM_LENGTH_LIMIT")
        return None

    def _query(self, params: dict[str, str]) -> JSONResponse:
        if not params.get("PhoneNumber") or not re.fullmatch(r"\d{8}", params.get("SendDate", "")):
            return self.answer("MissingParameter", "PhoneNumber and SendDate (yyyyMMdd) are mandatory.")
        size, page = int(params.get("PageSize") or 10), int(params.get("CurrentPage") or 1)
        if not 1 <= size <= 50 or page < 1:
            return self.answer("isv.INVALID_PARAMETERS", "PageSize must be 1-50, CurrentPage at least 1.")
        rows = [m for m in self._by_number.get(params["PhoneNumber"], [])
                if m.at.astimezone(LOCAL_ZONE).strftime("%Y%m%d") == params["SendDate"]
                and params.get("BizId") in (None, "", m.message_id)]
        outcome = {"delivered": (3, "DELIVERED"), "failed": (2, "MK:0001")}  # SendStatus 1: waiting for a receipt
        dtos = []
        for m in rows[(page - 1) * size: page * size]:
            status, err_code = outcome.get(self.receipts.pushed.get(m.message_id, ""), (1, ""))
            dtos.append({"PhoneNum": m.to, "SendStatus": status, "ErrCode": err_code, "SendDate": self.local_time(m.at),
                         "ReceiveDate": self.local_time(m.at) if status != 1 else None, "Content": m.text,
                         "TemplateCode": m.template, "OutId": m.key})
        return self.answer("OK", "OK", TotalCount=len(rows), SmsSendDetailDTOs={"SmsSendDetailDTO": dtos})

    async def push_receipts(self, url: str, *, delivered: bool = True, err_code: str = "MK:0001",
                            only: Iterable[str] | None = None, client: httpx.AsyncClient | None = None,
                            ) -> list[httpx.Response]:
        """POST one SmsReport batch (a JSON array) for the messages not yet reported (or only these BizIds)."""
        messages = self.unreported(only)
        reports = [{"phone_number": m.to, "send_time": self.local_time(m.at), "report_time": self.local_time(),
                    "success": delivered, "err_code": "DELIVERED" if delivered else err_code,
                    "err_msg": "用户接收成功" if delivered else "用户接收失败", "sms_size": str(count_sms(m.text)[1]),
                    "biz_id": m.message_id, "out_id": m.key or ""} for m in messages]
        for m in messages:
            self.receipts.pushed[m.message_id] = "delivered" if delivered else "failed"
        return await self.post(url, [{"json": reports}], client) if reports else []

    async def push_reply(self, url: str, *, phone: str, content: str, client: httpx.AsyncClient | None = None,
                         again: bool = False) -> httpx.Response:
        """POST one upstream SMS (SmsUp) as a worker's phone sends it; `again` pushes the previous one once more, as
        Aliyun does when a callback was not acknowledged (the same send_time and sequence_id)."""
        if not again:
            self._last_reply = [{"phone_number": phone, "send_time": self.local_time(), "content": content,
                                 "sign_name": self.sign_name, "dest_code": "",
                                 "sequence_id": next(self._reply_sequence)}]
        [answer] = await self.post(url, [{"json": self._last_reply}], client)
        return answer

    @staticmethod
    def receipt_acknowledged(response: httpx.Response) -> bool:
        """Did the callback answer as Aliyun expects ({"code":0,...} with HTTP 200; anything else is retried)?"""
        return response.status_code == 200 and response.json().get("code") == 0
