"""Settings every service shares, read from the environment with defaults that run the embedded mode."""

from __future__ import annotations

import json
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    """What every process reads: where data lives, which bus, how tokens are signed."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("data"), validation_alias="DATA_DIR")
    bus: Literal["memory", "amqp"] = Field(default="memory", validation_alias="BUS")
    amqp_url: str = Field(default="amqp://guest:guest@127.0.0.1:5672/", validation_alias="AMQP_URL")
    amqp_exchange: str = Field(default="jobbridge", validation_alias="AMQP_EXCHANGE")
    amqp_prefetch: int = Field(default=32, ge=1, le=1000, validation_alias="AMQP_PREFETCH")
    amqp_batch_prefetch: int = Field(default=256, ge=1, le=1000, validation_alias="AMQP_BATCH_PREFETCH")
    delivery_limit: int = Field(default=5, ge=1, le=100, validation_alias="DELIVERY_LIMIT")
    jwt_secret: str | None = Field(default=None, validation_alias="JWT_SECRET")
    token_ttl_hours: int = Field(default=24 * 30, ge=1, validation_alias="TOKEN_TTL_HOURS")
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    timezone: str = Field(default="Asia/Shanghai", validation_alias="TIMEZONE")
    # In the embedded mode (and when a service runs on its own without separate processes) the API process also
    # runs the outbox relay and the consumers; a distributed deployment turns this off and runs `jobbridge relay`
    # and `jobbridge consume` as their own processes.
    run_workers_in_process: bool = Field(default=True, validation_alias="RUN_WORKERS_IN_PROCESS")
    relay_batch: int = Field(default=200, ge=1, le=5000, validation_alias="RELAY_BATCH")
    relay_poll_seconds: float = Field(default=0.2, gt=0, validation_alias="RELAY_POLL_SECONDS")
    # The largest request body other than an uploaded file (413 above it): the ingress caps the same in a deployment.
    body_max_bytes: int = Field(default=1 << 20, ge=1024, validation_alias="BODY_MAX_BYTES")
    # Per-principal limits of the costly routes, "group=requests/seconds" (shared.rate_limits); empty: none.
    rate_limits: str = Field(default="runs=6/60,imports=20/60,exports=30/60,recommendations=120/60",
                             validation_alias="RATE_LIMITS")
    # The longest an upload may take to read before it is refused (linear in its size; 50,000 rows take ~5 s).
    upload_read_seconds: float = Field(default=60.0, gt=0, validation_alias="UPLOAD_READ_SECONDS")
    # How long `jobbridge serve` lets requests finish after SIGTERM before it cancels them (Kubernetes waits 30 s).
    shutdown_grace_seconds: float = Field(default=20.0, gt=0, validation_alias="SHUTDOWN_GRACE_SECONDS")

    @cached_property
    def secrets(self) -> dict[str, str]:
        """Secrets from DATA_DIR/secrets.json, made once on first use so the CLI and the server agree."""
        return load_or_create_secrets(self.data_dir)

    @property
    def signing_key(self) -> str:
        return self.jwt_secret or self.secrets["jwt_secret"]

    def sqlite_url(self, service: str) -> str:
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{service}.db').resolve()}"


def load_or_create_secrets(data_dir: Path) -> dict[str, str]:
    """Read the data folder's secrets, creating any that are missing with owner-only permissions."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secrets.json"
    current: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    wanted = {"jwt_secret": lambda: secrets.token_urlsafe(48), "pii_key": lambda: secrets.token_hex(32),
              "pii_hash_key": lambda: secrets.token_hex(32), "service_token_seed": lambda: secrets.token_urlsafe(32)}
    missing = {name: make() for name, make in wanted.items() if name not in current}
    if missing:
        current.update(missing)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(current, handle, indent=2)
        os.replace(tmp, path)
    return current
