"""WeChat official-account template messages over async httpx, with one cached access token, and the result events
WeChat pushes back with the answer it expects."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi.responses import PlainTextResponse
from starlette.responses import Response

from services.notify.vendors.base import OFFERS, ErrorKind, ProviderError, SendResult, seconds_until, template_for
from services.notify.vendors.http import call
from services.notify.vendors.pushes import ReceiptIn
from shared.clock import Clock, SystemClock

REFRESH_CODES = frozenset({40001, 40014, 42001})  # invalid, malformed or expired access token
_KINDS = {
    -1: ErrorKind.transient,  # system busy
    45009: ErrorKind.rate_limited,  # daily API quota
    45011: ErrorKind.rate_limited,  # per-minute API frequency
    40003: ErrorKind.permanent_user,  # invalid openid
    43004: ErrorKind.permanent_user,  # require subscribe
    43101: ErrorKind.permanent_user,  # user refused the message (also in REFUSALS)
    40036: ErrorKind.permanent_request,
    40037: ErrorKind.permanent_request,
    47001: ErrorKind.permanent_request,
    47003: ErrorKind.permanent_request,
    48001: ErrorKind.permanent_request,
}
# A result event's Status, spaces removed (WeChat writes both "failed:user block" and "failed: system failed").
_RESULT_KINDS = {"failed:userblock": ErrorKind.permanent_user, "failed:freqlimit": ErrorKind.rate_limited}
# The user turned the account's messages away (a send's errcode, a result's Status): WeChat is left for good.
REFUSALS = frozenset({43101})
RESULT_REFUSALS = frozenset({"failed:userblock"})


def classify(errcode: int) -> ErrorKind:
    """Map a WeChat errcode to what the caller should do (unknown codes: do not retry blindly)."""
    if errcode in REFRESH_CODES:
        return ErrorKind.refresh_token
    return _KINDS.get(errcode, ErrorKind.permanent_request)


def parse_result_event(xml: str | bytes) -> tuple[str, str]:
    """Read a TEMPLATESENDJOBFINISH event pushed to our callback: (MsgID, Status)."""
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    # WeChat never sends a DTD; refusing one rules out entity-expansion tricks without another dependency.
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise ValueError("a document type declaration is not accepted")
    root = ET.fromstring(text)
    if (root.findtext("Event") or "").strip() != "TEMPLATESENDJOBFINISH":
        raise ValueError(f"not a template result event: {root.findtext('Event')!r}")
    msgid, status = (root.findtext("MsgID") or "").strip(), (root.findtext("Status") or "").strip()
    if not msgid or not status:
        raise ValueError("MsgID and Status are required")
    return msgid, status


def callback_signature_ok(*, token: str, signature: str, timestamp: str, nonce: str) -> bool:
    """Check the signature WeChat puts in the query of every push: sha1 of the sorted token, timestamp and nonce."""
    expected = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())  # bytes: any text a caller sends is compared


def _compact(status: str) -> str:
    return status.replace(" ", "").lower()


def result_error_kind(status: str) -> ErrorKind | None:
    """None for a delivered message; otherwise what a failed result means (user block → fall back to SMS)."""
    compact = _compact(status)
    if compact == "success":
        return None
    return _RESULT_KINDS.get(compact, ErrorKind.transient)


class WechatTemplates:
    """The WeChat channel; the access token is fetched in this one place, under a lock, and renewed early."""

    name = "wechat"
    receipts_doc = ("A TEMPLATESENDJOBFINISH event; WeChat wants `success` quickly. Other events are acknowledged "
                    "and ignored.")

    def __init__(self, *, appid: str, secret: str, template_id: str, client: httpx.AsyncClient,
                 base_url: str = "https://api.weixin.qq.com", clock: Clock | None = None,
                 refresh_margin: float = 300.0, templates: Mapping[str, str] | None = None) -> None:
        self.appid, self._secret, self.template_id = appid, secret, template_id
        self.templates = {OFFERS: template_id, **(templates or {})}
        self._client = client
        self._base = base_url.rstrip("/")
        self._clock = clock or SystemClock()
        # Renew this long before expiry: a fetch invalidates the old token after 5 min, so in-flight sends survive.
        self._margin = timedelta(seconds=refresh_margin)
        self._token: str | None = None
        self._expires_at = datetime.min
        self._lock = asyncio.Lock()

    @staticmethod
    def parse_receipts(body: bytes) -> list[ReceiptIn]:
        """A TEMPLATESENDJOBFINISH event: MsgID and Status (success, failed:user block, failed: system failed)."""
        try:
            msgid, status = parse_result_event(body)
        except ET.ParseError as exc:
            raise ValueError(f"not XML: {exc}") from exc
        return [ReceiptIn(provider=WechatTemplates.name, provider_message_id=msgid, delivered=status == "success",
                          status=status)]

    @staticmethod
    def user_refused(status: str) -> bool:
        """`failed:user block`: the user refused the account's messages."""
        return _compact(status) in RESULT_REFUSALS

    @staticmethod
    def acknowledge() -> Response:
        return PlainTextResponse("success")

    @staticmethod
    def refuse(reason: str) -> Response:
        # A subscribe or menu event: not ours to handle, and no reason for WeChat to push it again.
        return PlainTextResponse("success")

    async def access_token(self, *, stale: str | None = None) -> str:
        """Return a valid token, fetching one if none is cached, it is near expiry, or it is the `stale` one."""
        async with self._lock:
            now = self._clock.now()
            # Several sends may see the same token rejected; only the first refreshes, the others reuse its result.
            if self._token and self._token != stale and now < self._expires_at - self._margin:
                return self._token
            body = await self._request("GET", "/cgi-bin/token", params={
                "grant_type": "client_credential", "appid": self.appid, "secret": self._secret})
            if "access_token" not in body:
                code = int(body.get("errcode", 0))
                kind = ErrorKind.transient if code == -1 else ErrorKind.provider_down
                raise ProviderError(kind, str(code), str(body.get("errmsg", "")), provider=self.name)
            self._token = str(body["access_token"])
            self._expires_at = now + timedelta(seconds=int(body.get("expires_in", 7200)))
            return self._token

    async def send_template(self, *, openid: str, data: Mapping[str, Mapping[str, str]], link: str | None,
                            client_msg_id: str, template: str = OFFERS) -> SendResult:
        """Send one template message; a rejected token is refreshed and the send retried once."""
        template_id = template_for(self.templates, template, provider=self.name)
        payload: dict[str, Any] = {"touser": openid, "template_id": template_id, "client_msg_id": client_msg_id,
                                   "data": {k: dict(v) for k, v in data.items()}}
        if link:
            payload["url"] = link
        token = await self.access_token()
        body = await self._send(token, payload)
        if int(body.get("errcode", 0)) in REFRESH_CODES:
            # Safe to repeat: client_msg_id makes WeChat send one message per openid and id.
            body = await self._send(await self.access_token(stale=token), payload)
        code = int(body.get("errcode", 0))
        if code == 0:
            return SendResult(provider=self.name, status="sent", provider_message_id=str(body["msgid"]), raw_code="0")
        kind = classify(code)
        retry_after = None
        if kind is ErrorKind.rate_limited:
            retry_after = seconds_until(self._clock, "day" if code == 45009 else "minute")
        raise ProviderError(kind, str(code), str(body.get("errmsg", "")), provider=self.name, retry_after=retry_after,
                            opted_out=code in REFUSALS)

    async def _send(self, token: str, payload: dict[str, Any]) -> dict[str, Any]:
        return await self._request("POST", "/cgi-bin/message/template/send", params={"access_token": token},
                                   payload=payload)

    async def _request(self, method: str, path: str, *, params: Mapping[str, str],
                       payload: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One call; on notify's provider client straight to its connection pool, as the SMS vendors' calls."""
        headers: dict[str, str] = {}
        content = None
        if payload is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            response = await call(self._client, method, f"{self._base}{path}?{urlencode(params)}", headers=headers,
                                  content=content)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ProviderError(ErrorKind.transient, type(exc).__name__, "could not reach WeChat",
                                provider=self.name) from exc
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise ProviderError(ErrorKind.transient, type(exc).__name__, "no answer from WeChat", provider=self.name,
                                maybe_sent=True) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or not isinstance(body, dict):
            raise ProviderError(ErrorKind.transient, f"HTTP{response.status_code}", "unexpected answer",
                                provider=self.name, maybe_sent=response.status_code >= 500)
        return body
