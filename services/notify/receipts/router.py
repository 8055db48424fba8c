"""Callbacks the providers make (no bearer token): delivery receipts and SMS replies, answered as each expects.

Each needs the callback token in its query and, for WeChat, WeChat's signature (`services.notify.callbacks`): 401
without them. An IP allow-list, where a vendor publishes its addresses, belongs at the ingress.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.deps import ClockDep, ProviderCaller, SessionDep, SettingsDep, WechatCaller
from services.notify.opt_outs import service as opt_outs
from services.notify.opt_outs.parse import replies as parse_replies
from services.notify.receipts import parse, service
from services.notify.receipts.parse import ReceiptIn
from services.notify.settings import NotifySettings
from shared.clock import Clock

router = APIRouter(tags=["provider callbacks"])

ALIYUN_OK = {"code": 0, "msg": "接收成功"}
TENCENT_OK = {"result": 0, "errmsg": "OK"}


async def _json(request: Request):
    try:
        return json.loads(await request.body())
    except ValueError as exc:
        raise HTTPException(400, "the body is not JSON") from exc


async def _sms_receipts(request: Request, session: AsyncSession, clock: Clock, settings: NotifySettings, *,
                        read: Callable[[Any], list[ReceiptIn]], bad: Callable[[str], dict], ok: dict) -> JSONResponse:
    """An SMS vendor's receipt push: a JSON array, answered in the vendor's words (any other answer: it pushes
    again)."""
    try:
        receipts = read(await _json(request))
    except (KeyError, ValueError) as exc:
        return JSONResponse(bad(f"bad report: {exc}"), status_code=400)
    await service.accept(session=session, receipts=receipts, settings=settings, clock=clock)
    return JSONResponse(ok)


@router.post("/receipts/aliyun")
async def aliyun_receipts(_: ProviderCaller, request: Request, session: SessionDep, clock: ClockDep,
                          settings: SettingsDep) -> JSONResponse:
    """SmsReport (HTTP push)."""
    return await _sms_receipts(request, session, clock, settings, read=parse.aliyun, ok=ALIYUN_OK,
                               bad=lambda msg: {"code": 1, "msg": msg})


@router.post("/receipts/tencent")
async def tencent_receipts(_: ProviderCaller, request: Request, session: SessionDep, clock: ClockDep,
                           settings: SettingsDep) -> JSONResponse:
    """The delivery-status callback."""
    return await _sms_receipts(request, session, clock, settings, read=parse.tencent, ok=TENCENT_OK,
                               bad=lambda msg: {"result": 1, "errmsg": msg})


@router.get("/receipts/wechat", response_class=PlainTextResponse)
async def wechat_verify(_: WechatCaller, request: Request) -> Response:
    """The server-URL check WeChat makes when the callback is configured: echo `echostr` if the signature holds."""
    # The text is the caller's own: nosniff keeps a browser from reading it as HTML or script.
    return PlainTextResponse(request.query_params.get("echostr", ""), headers={"X-Content-Type-Options": "nosniff"})


@router.post("/receipts/wechat", response_class=PlainTextResponse)
async def wechat_receipts(_: WechatCaller, request: Request, session: SessionDep, clock: ClockDep,
                          settings: SettingsDep) -> Response:
    """A TEMPLATESENDJOBFINISH event; WeChat wants `success` quickly. Other events are acknowledged and ignored."""
    try:
        receipts = parse.wechat(await request.body())
    except ValueError:
        return PlainTextResponse("success")  # a subscribe or menu event: not ours to handle, no reason to retry
    await service.accept(session=session, receipts=receipts, settings=settings, clock=clock)
    return PlainTextResponse("success")


@router.post("/replies/{provider}")
async def sms_replies(_: ProviderCaller, provider: Literal["aliyun", "tencent"], request: Request,
                      session: SessionDep, clock: ClockDep, settings: SettingsDep) -> JSONResponse:
    """Upstream SMS (Aliyun SmsUp, Tencent reply callback) or `{worker_id?, phone?, content}`: 回T/TD stops SMS."""
    try:
        replies = parse_replies(provider, await _json(request))
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    await opt_outs.accept_replies(session=session, replies=replies, provider=provider, key=settings.reply_key,
                                  clock=clock)
    return JSONResponse(ALIYUN_OK if provider == "aliyun" else TENCENT_OK)
