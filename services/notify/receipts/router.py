"""Delivery receipts the vendors push (no bearer token), answered as each expects; replies are in replies/router.py.

One route per vendor, named after it: each vendor reads its own push and words its own answer (the vendors' modules
in services/notify/vendors/). Each needs the callback token in its query and, for WeChat, WeChat's signature
(`services.notify.callbacks`): 401 without them. An IP allow-list, where a vendor publishes its addresses, belongs at
the ingress.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.deps import ClockDep, ProviderCaller, SessionDep, SettingsDep, WechatCaller
from services.notify.receipts import service
from services.notify.settings import NotifySettings
from services.notify.vendors.base import Pushes
from services.notify.vendors.pushes import NotJson
from services.notify.vendors.registry import SMS_PUSHES, WECHAT_PUSHES
from shared.clock import Clock

router = APIRouter(prefix="/notify", tags=["provider callbacks"])


async def _receipts(vendor: Pushes, request: Request, session: AsyncSession, clock: Clock,
                    settings: NotifySettings) -> Response:
    """A vendor's receipt push, answered in the vendor's words (any other answer: it pushes again)."""
    try:
        receipts = vendor.parse_receipts(await request.body())
    except NotJson as exc:
        raise HTTPException(400, str(exc)) from exc
    except (KeyError, ValueError) as exc:
        return vendor.refuse(f"bad report: {exc}")
    await service.accept(session=session, receipts=receipts, settings=settings, clock=clock)
    return vendor.acknowledge()


def _sms_route(vendor: Pushes) -> Callable[..., Awaitable[Response]]:
    async def receipts(_: ProviderCaller, request: Request, session: SessionDep, clock: ClockDep,
                       settings: SettingsDep) -> Response:
        return await _receipts(vendor, request, session, clock, settings)

    return receipts


for _vendor in SMS_PUSHES.values():
    router.add_api_route(f"/receipts/{_vendor.name}", _sms_route(_vendor), methods=["POST"],
                         name=f"{_vendor.name}_receipts", description=_vendor.receipts_doc)


@router.get(f"/receipts/{WECHAT_PUSHES.name}", response_class=PlainTextResponse)
async def wechat_verify(_: WechatCaller, request: Request) -> Response:
    """The server-URL check WeChat makes when the callback is configured: echo `echostr` if the signature holds."""
    # The text is the caller's own: nosniff keeps a browser from reading it as HTML or script.
    return PlainTextResponse(request.query_params.get("echostr", ""), headers={"X-Content-Type-Options": "nosniff"})


@router.post(f"/receipts/{WECHAT_PUSHES.name}", response_class=PlainTextResponse,
             description=WECHAT_PUSHES.receipts_doc)
async def wechat_receipts(_: WechatCaller, request: Request, session: SessionDep, clock: ClockDep,
                          settings: SettingsDep) -> Response:
    return await _receipts(WECHAT_PUSHES, request, session, clock, settings)
