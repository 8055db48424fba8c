"""HTTP routes for messages: per worker or per run, for the worker's station staff and admin."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.notify.deps import SessionDep, StaffOrAdmin
from services.notify.messages import service
from services.notify.messages.schemas import AttemptOut, MessageDetail, MessageOut, MessagePage
from shared.forms import PAGE_MAX

router = APIRouter(prefix="/notify/messages", tags=["messages"])

Status = Literal["queued", "sent", "delivered", "failed", "not_sent", "suppressed"]


@router.get("", response_model=MessagePage)
async def list_messages(
    session: SessionDep, by: StaffOrAdmin,
    worker_id: Annotated[str | None, Query(max_length=36)] = None,
    run_id: Annotated[str | None, Query(max_length=36)] = None,
    status: Status | None = None,
    page: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> MessagePage:
    filters = service.MessageFilter(worker_id=worker_id, run_id=run_id, status=status)
    rows, total = await service.search(session=session, filters=filters, by=by, page=page, page_size=page_size)
    return MessagePage(items=[MessageOut.model_validate(m) for m in rows], total=total, page=page,
                       page_size=page_size)


@router.get("/{message_id}", response_model=MessageDetail)
async def read_message(message_id: str, session: SessionDep, by: StaffOrAdmin) -> MessageDetail:
    message, attempts = await service.get(session=session, message_id=message_id, by=by)
    return MessageDetail(**MessageOut.model_validate(message).model_dump(),
                         attempt_log=[AttemptOut.model_validate(a) for a in attempts])
