"""Delivery receipts the providers push (no bearer token), answered as each expects; replies are in replies/router.py.

Each needs the callback token in its query and, for WeChat, WeChat's signature (`services.notify.callbacks`): 401
without them. An IP allow-list, where a vendor publishes its addresses, belongs at the ingress.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.callbacks import ALIYUN_OK, TENCENT_OK, read_json
from services.notify.deps import ClockDep, ProviderCaller, SessionDep, SettingsDep, WechatCaller
from services.notify.receipts import parse, service
from services.notify.receipts.parse import ReceiptIn
from services.notify.settings import NotifySettings
from shared.clock import Clock

router = APIRouter(tags=["provider callbacks"])


async def _sms_receipts(request: Request, session: AsyncSession, clock: Clock, settings: NotifySettings, *,
                        read: Callable[[Any], list[ReceiptIn]], bad: Callable[[str], dict], ok: dict) -> JSONResponse:
    """An SMS vendor's receipt push: a JSON array, answered in the vendor's words (any other answer: it pushes
    again)."""
    try:
        receipts = read(await read_json(request))
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
