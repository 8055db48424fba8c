"""Settings of the workers service."""

from __future__ import annotations

import os
from functools import cached_property

from pydantic import Field, field_validator

from services.workers.followups.rules import parse_months
from shared.pii import PiiKeys
from shared.settings import CommonSettings


class WorkersSettings(CommonSettings):
    database_url: str | None = Field(default=None, validation_alias="WORKERS_DATABASE_URL")
    # Where placements hold a posting's opening; unset, jobs is expected in this same process (the embedded mode).
    jobs_url: str | None = Field(default=None, validation_alias="WORKERS_JOBS_URL")
    # When a placed labourer is visited (跟踪服务): months after the start, e.g. "1,3,6".
    follow_up_months_text: str = Field(default="1,3,6", validation_alias="WORKERS_FOLLOW_UP_MONTHS")

    @field_validator("follow_up_months_text")
    @classmethod
    def _months(cls, value: str) -> str:
        parse_months(value)
        return value

    @property
    def follow_up_months(self) -> tuple[int, ...]:
        return parse_months(self.follow_up_months_text)
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, validation_alias="WORKERS_UPLOAD_MAX_BYTES")
    # Hex keys; when unset they come from DATA_DIR/secrets.json (made on first use), like the token key.
    pii_key: str | None = Field(default=None, validation_alias="PII_KEY")
    pii_hash_key: str | None = Field(default=None, validation_alias="PII_HASH_KEY")
    # Keys retired by a rotation, "id:hex,id:hex" or "hex,hex": values sealed under them still open.
    pii_old_keys: str = Field(default="", validation_alias="PII_OLD_KEYS")
    # How often the monthly freeze looks for a month that is over and not frozen yet.
    freeze_check_seconds: float = Field(default=60.0, gt=0, validation_alias="WORKERS_FREEZE_CHECK_SECONDS")

    @property
    def jobs_base_url(self) -> str:
        return self.jobs_url or f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"

    def db_url(self) -> str:
        return self.database_url or self.sqlite_url("workers")

    @cached_property
    def pii_keys(self) -> PiiKeys:
        return PiiKeys.from_settings(current_key_hex=self.pii_key or self.secrets["pii_key"],
                                     hash_key_hex=self.pii_hash_key or self.secrets["pii_hash_key"],
                                     old_keys=self.pii_old_keys)
