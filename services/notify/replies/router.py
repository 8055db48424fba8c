"""HTTP routes for replies: the vendors' upstream-SMS callbacks, and the replies for the worker's staff and admin."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from services.notify.deps import ClockDep, ProviderCaller, SessionDep, SettingsDep, StaffOrAdmin
from services.notify.replies import service
from services.notify.replies.schemas import ReplyOut, ReplyPage
from services.notify.vendors.registry import SMS_PUSHES, SmsVendorName
from shared.forms import PAGE_MAX

router = APIRouter(prefix="/notify/replies")

Kind = Literal["interest", "not_fit", "none_fit", "unknown"]


@router.post("/{provider}", tags=["provider callbacks"])
async def sms_replies(_: ProviderCaller, provider: SmsVendorName, request: Request,
                      session: SessionDep, clock: ClockDep, settings: SettingsDep) -> Response:
    """Upstream SMS (Aliyun SmsUp, Tencent reply callback) or `{worker_id?, phone?, content}`: 回T/TD stops SMS,
    an offer's number is an interest, 0 none fits, anything else is kept for staff."""
    vendor = SMS_PUSHES[provider]
    try:
        replies = vendor.parse_replies(await request.body())
    except ValueError as exc:  # not JSON, or not replies
        raise HTTPException(400, str(exc)) from exc
    await service.accept(session=session, replies=replies, provider=provider, settings=settings, clock=clock)
    return vendor.acknowledge()


@router.get("", response_model=ReplyPage, tags=["replies"])
async def list_replies(
    session: SessionDep, by: StaffOrAdmin,
    worker_id: Annotated[str | None, Query(max_length=36)] = None,
    run_id: Annotated[str | None, Query(max_length=36)] = None,
    kind: Kind | None = None,
    page: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ReplyPage:
    """Replies to the offers SMS, newest first: station staff see their region's workers, admin also unknown
    numbers."""
    filters = service.ReplyFilter(worker_id=worker_id, run_id=run_id, kind=kind)
    rows, total = await service.search(session=session, filters=filters, by=by, page=page, page_size=page_size)
    return ReplyPage(items=[ReplyOut.model_validate(r) for r in rows], total=total, page=page, page_size=page_size)
