"""Response bodies for recommendations (field names are the public contract)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class OfferOut(BaseModel):
    posting_id: str
    title: str
    employer: str
    region_code: str
    region_name: str
    wage_min: int
    wage_max: int
    distance_km: float
    meals: bool
    lodging: bool
    score: float
    reasons: list[str]
    relaxed: list[str] = []
    fit: str = Field("desired", description="how the post fits: desired (what the worker asked for), skill (what it "
                     "can do), welfare (a public-welfare post that leads for one who cannot take regular work), "
                     "relaxed (given to reach three offers)")


class ShortfallOut(BaseModel):
    found: int
    reason: str


class RecommendationsOut(BaseModel):
    worker_id: str
    items: list[OfferOut]
    shortfall: ShortfallOut | None
    set_id: str | None = None
    issued_at: datetime | None = None
