"""Settings of the console: its database, where the four APIs are, sessions and the sign-in lockout."""

from __future__ import annotations

from pydantic import Field

from shared.settings import CommonSettings


class ConsoleSettings(CommonSettings):
    database_url: str | None = Field(default=None, validation_alias="CONSOLE_DATABASE_URL")
    # Where the four APIs answer. Unset: in-process when this process serves the service (the embedded platform),
    # else http://127.0.0.1:$PORT. CONSOLE_API_URL is one base for all (an ingress); CONSOLE_API_URLS names one per
    # service as JSON, e.g. {"jobs": "http://jobs:8000", "workers": "http://workers:8000", ...} (Kubernetes, Compose).
    api_url: str | None = Field(default=None, validation_alias="CONSOLE_API_URL")
    api_urls: dict[str, str] = Field(default_factory=dict, validation_alias="CONSOLE_API_URLS")
    api_timeout_seconds: float = Field(default=30.0, gt=0, validation_alias="CONSOLE_API_TIMEOUT_SECONDS")
    # The token the console mints for each call on behalf of the signed-in user lives this long.
    api_token_seconds: int = Field(default=300, ge=30, le=3600, validation_alias="CONSOLE_API_TOKEN_SECONDS")
    session_hours: float = Field(default=10.0, gt=0, le=24 * 7, validation_alias="CONSOLE_SESSION_HOURS")
    # Set behind HTTPS (the cookie is then never sent in clear).
    cookie_secure: bool = Field(default=False, validation_alias="CONSOLE_COOKIE_SECURE")
    # After this many failed sign-ins in a row an account is locked for lockout_minutes; every failure waits first.
    max_failed_signins: int = Field(default=5, ge=1, le=100, validation_alias="CONSOLE_MAX_FAILED_SIGNINS")
    lockout_minutes: float = Field(default=15.0, gt=0, validation_alias="CONSOLE_LOCKOUT_MINUTES")
    failed_signin_delay_seconds: float = Field(default=1.0, ge=0, le=10,
                                               validation_alias="CONSOLE_FAILED_SIGNIN_DELAY_SECONDS")
    # Lifetime of an API token an admin issues to an employer from the console.
    employer_token_days: int = Field(default=365, ge=1, le=3650, validation_alias="CONSOLE_EMPLOYER_TOKEN_DAYS")

    def db_url(self) -> str:
        return self.database_url or self.sqlite_url("console")
