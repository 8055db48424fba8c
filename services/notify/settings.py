"""Settings of the notify service: providers, politeness (quiet hours, limits, digest), retries, dispatching."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import datetime, time
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator

from services.notify.offers_page import token as offer_tokens
from shared.settings import CommonSettings

SMS_PROVIDERS = ("aliyun", "tencent", "recording")
WECHAT_PROVIDERS = ("wechat", "recording", "none")
REAL_PROVIDERS = ("aliyun", "tencent", "wechat")
# The shared secret of the callback URLs when NOTIFY_RECEIPT_TOKEN is not set: made once, kept in DATA_DIR.
CALLBACK_TOKEN_FILE = "callback-token"


class NotifySettings(CommonSettings):
    database_url: str | None = Field(default=None, validation_alias="NOTIFY_DATABASE_URL")
    # Where workers answers the contact lookup; unset: this machine on PORT (the embedded platform serves workers).
    workers_url: str | None = Field(default=None, validation_alias="NOTIFY_WORKERS_URL")

    # --- providers: SMS in order of preference (the next one takes over when one is down), and WeChat ---
    sms_providers: str = Field(default="recording", validation_alias="NOTIFY_SMS_PROVIDERS")
    wechat_provider: str = Field(default="recording", validation_alias="NOTIFY_WECHAT_PROVIDER")
    sms_sign_name: str = Field(default="兴安就业", min_length=2, max_length=12, validation_alias="NOTIFY_SMS_SIGN_NAME")
    provider_timeout_seconds: float = Field(default=10.0, gt=0, validation_alias="NOTIFY_PROVIDER_TIMEOUT_SECONDS")
    aliyun_endpoint: str = Field(default="https://dysmsapi.aliyuncs.com", validation_alias="NOTIFY_ALIYUN_ENDPOINT")
    aliyun_access_key_id: str = Field(default="", validation_alias="NOTIFY_ALIYUN_ACCESS_KEY_ID")
    aliyun_access_key_secret: str = Field(default="", validation_alias="NOTIFY_ALIYUN_ACCESS_KEY_SECRET")
    aliyun_template_code: str = Field(default="", validation_alias="NOTIFY_ALIYUN_TEMPLATE_CODE")
    # Up to this many SMS that passes send at about the same time go to Aliyun in one request (SendBatchSms, at most
    # 100 numbers); 1: each alone (SendSms).
    aliyun_batch: int = Field(default=100, ge=1, le=100, validation_alias="NOTIFY_ALIYUN_BATCH")
    tencent_endpoint: str = Field(default="https://sms.tencentcloudapi.com", validation_alias="NOTIFY_TENCENT_ENDPOINT")
    tencent_region: str = Field(default="ap-guangzhou", validation_alias="NOTIFY_TENCENT_REGION")
    tencent_secret_id: str = Field(default="", validation_alias="NOTIFY_TENCENT_SECRET_ID")
    tencent_secret_key: str = Field(default="", validation_alias="NOTIFY_TENCENT_SECRET_KEY")
    tencent_sdk_app_id: str = Field(default="", validation_alias="NOTIFY_TENCENT_SDK_APP_ID")
    tencent_template_id: str = Field(default="", validation_alias="NOTIFY_TENCENT_TEMPLATE_ID")
    wechat_base_url: str = Field(default="https://api.weixin.qq.com", validation_alias="NOTIFY_WECHAT_BASE_URL")
    wechat_appid: str = Field(default="", validation_alias="NOTIFY_WECHAT_APPID")
    wechat_secret: str = Field(default="", validation_alias="NOTIFY_WECHAT_SECRET")
    wechat_template_id: str = Field(default="", validation_alias="NOTIFY_WECHAT_TEMPLATE_ID")
    # The templates of a job fair's invitation (services/notify/invitations): an invitation waits for none of them,
    # and with none set at a vendor, its send there fails as a request no retry mends.
    aliyun_invitation_template_code: str = Field(default="", validation_alias="NOTIFY_ALIYUN_INVITATION_TEMPLATE_CODE")
    tencent_invitation_template_id: str = Field(default="", validation_alias="NOTIFY_TENCENT_INVITATION_TEMPLATE_ID")
    wechat_invitation_template_id: str = Field(default="", validation_alias="NOTIFY_WECHAT_INVITATION_TEMPLATE_ID")
    # The link under a WeChat message; "{set_id}" is replaced by the recommendation set's id. Empty: the offers page
    # of notify when NOTIFY_PUBLIC_URL is set, else no link.
    wechat_link: str = Field(default="", validation_alias="NOTIFY_WECHAT_LINK")
    # Where workers' phones reach notify (e.g. https://jobs.example.gov.cn): the offers page is under it.
    public_url: str = Field(default="", validation_alias="NOTIFY_PUBLIC_URL")

    # --- what the message says ---
    # Whom the worker calls about an offer: the station of their county or township (longest adcode prefix
    # wins, e.g. {"152222": "科右中旗就业服务中心0482-4112345"}), else `contact`.
    contact: str = Field(default="所在苏木乡镇就业服务站", min_length=2, validation_alias="NOTIFY_CONTACT")
    contacts_by_region: dict[str, str] = Field(default_factory=dict, validation_alias="NOTIFY_CONTACTS_BY_REGION")

    # --- respect ---
    quiet_start: time = Field(default=time(21, 0), validation_alias="NOTIFY_QUIET_START")
    quiet_end: time = Field(default=time(8, 0), validation_alias="NOTIFY_QUIET_END")
    digest_minutes: float = Field(default=30.0, ge=0, validation_alias="NOTIFY_DIGEST_MINUTES")
    # Per number: Tencent allows 10 a natural day and one per 30 s by default, Aliyun 50 notifications a day
    # (docs/providers.md): the stricter ones, configurable as the accounts are.
    sms_daily_limit: int = Field(default=10, ge=1, validation_alias="NOTIFY_SMS_DAILY_LIMIT")
    sms_min_interval_seconds: float = Field(default=30.0, ge=0, validation_alias="NOTIFY_SMS_MIN_INTERVAL_SECONDS")

    # --- surviving failure ---
    max_attempts: int = Field(default=8, ge=1, le=50, validation_alias="NOTIFY_MAX_ATTEMPTS")
    retry_base_seconds: float = Field(default=30.0, gt=0, validation_alias="NOTIFY_RETRY_BASE_SECONDS")
    retry_cap_seconds: float = Field(default=3600.0, gt=0, validation_alias="NOTIFY_RETRY_CAP_SECONDS")
    provider_down_seconds: float = Field(default=300.0, gt=0, validation_alias="NOTIFY_PROVIDER_DOWN_SECONDS")
    contact_retry_seconds: float = Field(default=30.0, gt=0, validation_alias="NOTIFY_CONTACT_RETRY_SECONDS")

    # --- the consumer ---
    # How long a small batch of issued sets waits for more (the bus's linger): under a steady flow of a few hundred
    # sets a second, a third as many transactions (each with its inbox statement and ack), for at most this much
    # latency.
    consumer_linger_ms: float = Field(default=20.0, ge=0, le=1000, validation_alias="NOTIFY_CONSUMER_LINGER_MS")

    # --- the dispatcher (runs where relays run: `jobbridge relay notify`, or in-process) ---
    dispatch_batch: int = Field(default=100, ge=1, le=1000, validation_alias="NOTIFY_DISPATCH_BATCH")
    # Sends under way at once. A send mostly waits (workers, the provider), so more at once is what keeps a busy
    # machine's dispatcher going: the League run's messages were all out in 14.5–15.0 s at 64, 20.8–22.9 s at 16.
    dispatch_concurrency: int = Field(default=64, ge=1, le=200, validation_alias="NOTIFY_DISPATCH_CONCURRENCY")
    dispatch_poll_seconds: float = Field(default=0.5, gt=0, validation_alias="NOTIFY_DISPATCH_POLL_SECONDS")
    # A claimed message is not picked again before this: longer than a send can take (contact, query, send).
    lease_seconds: float = Field(default=120.0, gt=0, validation_alias="NOTIFY_LEASE_SECONDS")

    # --- callbacks from the providers (receipts, replies): no bearer token, so a shared secret in the URL ---
    # Empty: one is made once and kept in DATA_DIR/callback-token (`callback_token`). Either way every callback
    # needs it; set it where several machines serve notify without sharing DATA_DIR.
    receipt_token: str = Field(default="", validation_alias="NOTIFY_RECEIPT_TOKEN")
    wechat_callback_token: str = Field(default="", validation_alias="NOTIFY_WECHAT_CALLBACK_TOKEN")
    # Development only: callbacks accept anyone. Refused at start when a real provider is selected.
    callbacks_unauthenticated: bool = Field(default=False, validation_alias="NOTIFY_CALLBACKS_UNAUTHENTICATED")
    # Keys the hash that ties an SMS reply (回T) to a worker without keeping the number; derived when unset.
    reply_hash_key: str | None = Field(default=None, validation_alias="NOTIFY_REPLY_HASH_KEY")
    reply_route_days: int = Field(default=30, ge=1, validation_alias="NOTIFY_REPLY_ROUTE_DAYS")

    @field_validator("sms_providers")
    @classmethod
    def _known_sms(cls, value: str) -> str:
        names = [n.strip() for n in value.split(",") if n.strip()]
        if not names or set(names) - set(SMS_PROVIDERS) or len(set(names)) != len(names):
            raise ValueError(f"NOTIFY_SMS_PROVIDERS takes distinct names among {', '.join(SMS_PROVIDERS)}")
        return ",".join(names)

    @field_validator("wechat_provider")
    @classmethod
    def _known_wechat(cls, value: str) -> str:
        value = value.strip() or "none"
        if value not in WECHAT_PROVIDERS:
            raise ValueError(f"NOTIFY_WECHAT_PROVIDER is one of {', '.join(WECHAT_PROVIDERS)}")
        return value

    def db_url(self) -> str:
        return self.database_url or self.sqlite_url("notify")

    @property
    def sms_order(self) -> list[str]:
        return self.sms_providers.split(",")

    @property
    def workers_base_url(self) -> str:
        return self.workers_url or f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"

    def contact_for(self, region_code: str | None) -> str:
        """The station a worker of this home region calls: the longest configured prefix, else the default."""
        matches = [prefix for prefix in self.contacts_by_region if region_code and region_code.startswith(prefix)]
        return self.contacts_by_region[max(matches, key=len)] if matches else self.contact

    def link_for(self, set_id: str, *, message_id: str | None = None, now: datetime | None = None) -> str | None:
        """The URL under a WeChat message: NOTIFY_WECHAT_LINK, else the message's offers page under
        NOTIFY_PUBLIC_URL (a signed link valid 30 days from `now`), else none."""
        if self.wechat_link:
            return self.wechat_link.replace("{set_id}", set_id)
        if self.public_url and message_id and now:
            token = offer_tokens.make(message_id, key=self.page_key, now=now)
            return f"{self.public_url.rstrip('/')}/notify/offers/{token}"
        return None

    @property
    def page_key(self) -> bytes:
        """Signs the offers page links: derived from the signing key under a label of its own."""
        return hmac.new(self.signing_key.encode(), b"jobbridge notify offers page", hashlib.sha256).digest()

    @property
    def reply_key(self) -> bytes:
        if self.reply_hash_key:
            return self.reply_hash_key.encode()
        # Derived from the signing key under a label of its own: one secret fewer to manage, and still a key that
        # serves no other purpose.
        return hmac.new(self.signing_key.encode(), b"jobbridge notify reply routes", hashlib.sha256).digest()

    @cached_property
    def callback_token(self) -> str:
        """The secret every callback URL carries (`?token=`): NOTIFY_RECEIPT_TOKEN, else DATA_DIR/callback-token."""
        return self.receipt_token or load_or_create_callback_token(self.data_dir)

    @property
    def real_providers(self) -> list[str]:
        return [name for name in [*self.sms_order, self.wechat_provider] if name in REAL_PROVIDERS]

    def check_callbacks(self) -> None:
        """Refuse the unauthenticated callbacks of development where a real provider would call them."""
        if self.callbacks_unauthenticated and self.real_providers:
            raise ValueError("NOTIFY_CALLBACKS_UNAUTHENTICATED is for development with the recording providers only; "
                             f"{', '.join(self.real_providers)} selected")

    def check_providers(self) -> None:
        """Fail at start, not at the first send, when a real provider lacks its credentials."""
        needed = {"aliyun": ("aliyun_access_key_id", "aliyun_access_key_secret", "aliyun_template_code"),
                  "tencent": ("tencent_secret_id", "tencent_secret_key", "tencent_sdk_app_id", "tencent_template_id"),
                  "wechat": ("wechat_appid", "wechat_secret", "wechat_template_id")}
        for name in [*self.sms_order, self.wechat_provider]:
            missing = [f"NOTIFY_{field.upper()}" for field in needed.get(name, ()) if not getattr(self, field)]
            if missing:
                raise ValueError(f"the {name} provider is selected but {', '.join(missing)} not set")


def load_or_create_callback_token(data_dir: Path) -> str:
    """Read DATA_DIR/callback-token, making it (owner-only) if it does not exist yet.

    Made in a file of its own and linked into place, so that processes starting together on one data folder all
    end up with the first one made, and none ever reads a half-written file.
    """
    path = data_dir / CALLBACK_TOKEN_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".{CALLBACK_TOKEN_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: theirs is the one
        finally:
            draft.unlink()
    token = path.read_text().strip()
    if not token:
        raise ValueError(f"{path} is empty: delete it to have a new token made, or set NOTIFY_RECEIPT_TOKEN")
    return token
