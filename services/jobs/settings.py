"""Settings of the jobs service."""

from __future__ import annotations

import os

from pydantic import Field

from shared.settings import CommonSettings


class JobsSettings(CommonSettings):
    database_url: str | None = Field(default=None, validation_alias="JOBS_DATABASE_URL")
    upload_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, validation_alias="JOBS_UPLOAD_MAX_BYTES")
    expiry_sweep_seconds: float = Field(default=60.0, gt=0, validation_alias="JOBS_EXPIRY_SWEEP_SECONDS")
    page_size_max: int = Field(default=200, ge=10, validation_alias="JOBS_PAGE_SIZE_MAX")
    # Listing pages a process keeps in memory until a posting changes (services/jobs/postings/pages.py); 0: none.
    pages_kept: int = Field(default=512, ge=0, le=100_000, validation_alias="JOBS_PAGES_KEPT")
    # Where workers answers who lives where (fair invitations); unset: this process when it serves workers too,
    # else this host's PORT.
    workers_url: str | None = Field(default=None, validation_alias="JOBS_WORKERS_URL")

    @property
    def workers_base_url(self) -> str:
        return self.workers_url or f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"

    def db_url(self) -> str:
        return self.database_url or self.sqlite_url("jobs")
