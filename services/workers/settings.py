"""Settings of the workers service."""

from __future__ import annotations

from functools import cached_property

from pydantic import Field

from shared.pii import PiiKeys
from shared.settings import CommonSettings


class WorkersSettings(CommonSettings):
    database_url: str | None = Field(default=None, validation_alias="WORKERS_DATABASE_URL")
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, validation_alias="WORKERS_UPLOAD_MAX_BYTES")
    # Hex keys; when unset they come from DATA_DIR/secrets.json (made on first use), like the token key.
    pii_key: str | None = Field(default=None, validation_alias="PII_KEY")
    pii_hash_key: str | None = Field(default=None, validation_alias="PII_HASH_KEY")
    # Keys retired by a rotation, "id:hex,id:hex" or "hex,hex": values sealed under them still open.
    pii_old_keys: str = Field(default="", validation_alias="PII_OLD_KEYS")

    def db_url(self) -> str:
        return self.database_url or self.sqlite_url("workers")

    @cached_property
    def pii_keys(self) -> PiiKeys:
        return PiiKeys.from_settings(current_key_hex=self.pii_key or self.secrets["pii_key"],
                                     hash_key_hex=self.pii_hash_key or self.secrets["pii_hash_key"],
                                     old_keys=self.pii_old_keys)
