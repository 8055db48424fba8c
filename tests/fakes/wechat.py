"""A fake WeChat official-account API: access tokens that expire and supersede, template sends, result events."""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.notify.vendors.wechat import WechatTemplates
from shared.clock import LOCAL_ZONE, Clock
from tests.fakes.server import FakeServer, SentMessage

_MESSAGES = {-1: "system error", 40001: "invalid credential, access_token is invalid or not latest",
             40002: "invalid grant_type", 40003: "invalid openid", 40013: "invalid appid", 40037: "invalid template_id",
             40125: "invalid appsecret", 41001: "access_token missing", 42001: "access_token expired",
             43004: "require subscribe", 43101: "user refuse to accept the msg",
             45009: "reach max api daily quota limit", 45011: "api minute-quota reach limit mustslower retry next "
             "minute", 47001: "data format error"}
_GRACE = timedelta(minutes=5)  # a superseded token keeps working this long [D]
_DEDUPE = timedelta(minutes=10)  # one message per openid + client_msg_id in this window [3P]


@dataclass
class _Token:
    expires_at: datetime
    superseded_at: datetime | None = None


class FakeWechat(FakeServer):
    primary_action = "send"

    def __init__(self, *, appid: str = "wxfake0000000001", secret: str = "fake-wechat-appsecret",
                 template_ids: Iterable[str] = ("tmpl-job-offers-0001",), expires_in: int = 7200,
                 daily_quota: int = 100_000, callback_token: str = "fake-callback-token",
                 account: str = "gh_fake00000001", clock: Clock | None = None) -> None:
        super().__init__(clock=clock)
        self.appid, self.secret, self.template_ids = appid, secret, list(template_ids)
        self.expires_in, self.daily_quota = expires_in, daily_quota
        self.callback_token, self.account = callback_token, account
        self.token_fetches = 0
        self.unsubscribed: set[str] = set()  # 43004
        self.refused: set[str] = set()  # 43101
        self.blocked: set[str] = set()  # accepted, then the result event says "failed:user block"
        self._tokens: dict[str, _Token] = {}
        self._msgids = itertools.count(200228332)
        self._by_client_msg_id: dict[tuple[str, str], SentMessage] = {}

    @property
    def template_id(self) -> str:
        return self.template_ids[0]

    def provider(self, client: httpx.AsyncClient, **overrides: Any) -> WechatTemplates:
        """Our WeChat client, configured for this fake (override e.g. secret, clock or refresh_margin)."""
        settings: dict[str, Any] = {"appid": self.appid, "secret": self.secret, "template_id": self.template_id,
                    "base_url": self.url, "clock": self.clock} | overrides
        return WechatTemplates(client=client, **settings)

    def routes(self) -> list[Route]:
        return [Route("/cgi-bin/token", self.guarded(self._token), methods=["GET"]),
                Route("/cgi-bin/message/template/send", self.guarded(self._send), methods=["POST"])]

    @staticmethod
    def error(code: int) -> JSONResponse:
        rid = f"{secrets.token_hex(4)}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"
        return JSONResponse({"errcode": code, "errmsg": f"{_MESSAGES.get(code, 'error')} rid: {rid}"})

    def expire_tokens(self) -> None:
        """Make every issued token expired (as if 2 h had passed) without moving the clock."""
        for token in self._tokens.values():
            token.expires_at = self.clock.now()

    async def _token(self, request: Request) -> Response:
        fault = self.take_fault("token")
        if answer := await self._fault_answer(fault):
            return answer
        query = request.query_params
        if query.get("grant_type") != "client_credential":
            return self.error(40002)
        if query.get("appid") != self.appid:
            return self.error(40013)
        if query.get("secret") != self.secret:
            return self.error(40125)
        now = self.clock.now()
        for token in self._tokens.values():  # fetching again supersedes every earlier token
            token.superseded_at = token.superseded_at or now
        value = secrets.token_urlsafe(48)
        self._tokens[value] = _Token(expires_at=now + timedelta(seconds=self.expires_in))
        self.token_fetches += 1
        return JSONResponse({"access_token": value, "expires_in": self.expires_in})

    async def _fault_answer(self, fault) -> Response | None:
        if fault is None:
            return None
        if fault.kind == "http":
            return Response("Bad Gateway", status_code=fault.status)
        if fault.kind == "code":
            return self.error(int(fault.code))
        if not fault.accept:
            await self.hang()
            return self.error(-1)
        return None  # a timeout after acceptance: the send goes through, the answer comes too late

    async def _send(self, request: Request) -> Response:
        value = request.query_params.get("access_token")
        token = self._tokens.get(value or "")
        now = self.clock.now()
        if not value:
            return self.error(41001)
        if token is None or (token.superseded_at and now - token.superseded_at > _GRACE):
            return self.error(40001)
        if now >= token.expires_at:
            return self.error(42001)
        fault = self.take_fault("send")
        if self.down:
            return self.error(int(self.down))
        if answer := await self._fault_answer(fault):
            return answer
        try:
            payload = await request.json()
            openid, data = payload["touser"], payload["data"]
            assert isinstance(data, dict) and all(isinstance(v, dict) and "value" in v for v in data.values())
        except (ValueError, KeyError, TypeError, AssertionError):
            return self.error(47001)
        if not isinstance(openid, str) or not re.fullmatch(r"[\w-]{20,40}", openid):
            return self.error(40003)
        if payload.get("template_id") not in self.template_ids:
            return self.error(40037)
        if openid in self.unsubscribed:
            return self.error(43004)
        if openid in self.refused:
            return self.error(43101)
        key = payload.get("client_msg_id")
        earlier = self._by_client_msg_id.get((openid, key)) if key else None
        if earlier is not None and now - earlier.at < _DEDUPE:
            # Assumed [G]: a repeat inside the window is answered like the first and not sent again.
            return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": int(earlier.message_id)})
        today = now.astimezone(LOCAL_ZONE).date()
        if sum(m.at.astimezone(LOCAL_ZONE).date() == today for m in self.sent) >= self.daily_quota:
            return self.error(45009)
        message = SentMessage(to=openid, params=data, key=key, message_id=str(next(self._msgids)),
                              text=payload.get("url") or "", template=payload["template_id"], at=now)
        self.record(message)
        if key:
            self._by_client_msg_id[(openid, key)] = message
        if fault is not None:  # timeout after acceptance
            await self.hang()
        return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": int(message.message_id)})

    def result_event(self, message: SentMessage, status: str) -> str:
        """The TEMPLATESENDJOBFINISH XML WeChat pushes for one message."""
        return (f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>"
                f"<FromUserName><![CDATA[{message.to}]]></FromUserName>"
                f"<CreateTime>{int(self.clock.now().timestamp())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                f"<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>{message.message_id}</MsgID>"
                f"<Status><![CDATA[{status}]]></Status></xml>")

    async def push_receipts(self, url: str, *, status: str | None = None, only: Iterable[str] | None = None,
                            client: httpx.AsyncClient | None = None) -> list[httpx.Response]:
        """POST one result event per message not yet reported; the status defaults to success, or user block."""
        bodies = []
        for message in self.unreported(only):
            outcome = status or ("failed:user block" if message.to in self.blocked else "success")
            self.receipts.pushed[message.message_id] = outcome
            # Signed like every WeChat push: sha1 of the sorted token, timestamp and nonce, in the query.
            timestamp, nonce = str(int(self.clock.now().timestamp())), uuid.uuid4().hex[:10]
            signature = hashlib.sha1("".join(sorted([self.callback_token, timestamp, nonce])).encode()).hexdigest()
            bodies.append({"content": self.result_event(message, outcome).encode(),
                           "headers": {"Content-Type": "text/xml"},
                           # Added to the query the callback URL already has (it may carry a token of ours).
                           "params": {**dict(httpx.URL(url).params), "signature": signature,
                                      "timestamp": timestamp, "nonce": nonce, "openid": message.to}})
        return await self.post(url, bodies, client)

    @staticmethod
    def receipt_acknowledged(response: httpx.Response) -> bool:
        """Did the callback answer as WeChat expects (HTTP 200 with "success" or an empty body)?"""
        return response.status_code == 200 and response.text.strip() in ("", "success")
