"""Settings of the matching service."""

from __future__ import annotations

from pydantic import Field

from services.matching.ranking.model import RankingSettings
from shared.settings import CommonSettings


class MatchingSettings(CommonSettings):
    database_url: str | None = Field(default=None, validation_alias="MATCHING_DATABASE_URL")
    near_home_km: float = Field(default=30.0, gt=0, le=500, validation_alias="MATCHING_NEAR_HOME_KM")
    capacity_factor: float = Field(default=5.0, ge=1, le=100, validation_alias="MATCHING_CAPACITY_FACTOR")
    recommendations_per_worker: int = Field(default=10, ge=3, le=50, validation_alias="MATCHING_LIMIT")
    # Batch runs are split into one work item per township (or county) and fanned out over the bus.
    run_item_level: str = Field(default="township", pattern="^(township|county)$",
                                validation_alias="MATCHING_RUN_ITEM_LEVEL")

    def db_url(self) -> str:
        return self.database_url or self.sqlite_url("matching")

    def ranking(self) -> RankingSettings:
        return RankingSettings(near_home_km=self.near_home_km, capacity_factor=self.capacity_factor)
