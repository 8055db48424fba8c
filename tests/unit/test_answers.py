"""A model sent with `json_answer` reaches the client byte for byte as FastAPI sends the same model returned from a
route whose `response_model` is its class."""

from __future__ import annotations

from datetime import date, datetime, timezone

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from shared.answers import json_answer


class Offer(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    title: str
    wage_min: int = Field(alias="wageMin")
    skills: list[str]
    valid_until: date
    created_at: datetime
    supply_list_id: str | None = None
    score: float


OFFER = Offer.model_validate({"title": "家政服务员（住家）", "wageMin": 5000, "skills": ["做饭", "照顾老人"],
                              "valid_until": date(2027, 5, 31), "score": 0.1 + 0.2,
                              "created_at": datetime(2026, 11, 28, 2, 0, 0, 123456, tzinfo=timezone.utc)})


async def test_the_bytes_are_those_fastapi_sends_for_the_model():
    app = FastAPI()

    @app.get("/framework", response_model=Offer)
    async def framework() -> Offer:
        return OFFER

    @app.post("/answer", response_model=Offer, status_code=201)
    async def answer():
        return json_answer(OFFER, status_code=201)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        theirs, ours = await client.get("/framework"), await client.post("/answer")
    assert (ours.status_code, theirs.status_code) == (201, 200)
    assert ours.content == theirs.content
    assert ours.headers["content-type"] == theirs.headers["content-type"] == "application/json"
    assert ours.json()["wageMin"] == 5000 and "家政服务员" in ours.text
