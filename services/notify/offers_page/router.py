"""HTTP routes of the offers page: no sign-in, the signed token in the path is the key to one message's offers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.notify.deps import ClockDep, SessionDep, SettingsDep
from services.notify.offers_page import render, service
from shared.errors import NotFound

# A page for a phone's browser, not an API: kept out of the API document, as the console's pages are.
router = APIRouter(prefix="/notify/offers", tags=["offers page"], include_in_schema=False)


@router.get("/{token}", response_class=HTMLResponse)
async def offers_page(token: str, session: SessionDep, settings: SettingsDep, clock: ClockDep) -> HTMLResponse:
    """The message's offers, numbered like the SMS, with 想了解 / 不合适 on each; 404 in Chinese for a bad link."""
    try:
        page = await service.page(session=session, token=token, settings=settings, clock=clock)
    except NotFound as exc:
        return render.gone(exc.zh)
    return render.offers(page, action=f"/notify/offers/{token}/answers")


@router.post("/{token}/answers", response_class=HTMLResponse)
async def answer_offer(token: str, offer: Annotated[int, Form(ge=0, le=99)],
                       answer: Annotated[service.PageAnswer, Form()], session: SessionDep, settings: SettingsDep,
                       clock: ClockDep) -> Response:
    """Record 想了解 or 不合适 on one offer, then back to the page, which shows what was recorded."""
    try:
        await service.answer(session=session, token=token, offer_number=offer, answer=answer,
                             settings=settings, clock=clock)
    except NotFound as exc:
        return render.gone(exc.zh)
    return RedirectResponse(f"/notify/offers/{token}#offer-{offer}", status_code=303)
