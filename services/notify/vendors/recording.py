"""The embedded-mode provider: keeps every SMS and WeChat message in memory so they can be read back."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from services.notify.vendors.base import OFFERS, SendResult
from shared.clock import Clock, SystemClock


@dataclass(frozen=True)
class RecordedMessage:
    channel: Literal["sms", "wechat"]
    to: str  # phone number or openid
    idempotency_key: str  # OutId / SessionContext / client_msg_id in the real providers
    provider_message_id: str
    at: datetime
    text: str = ""  # the full SMS text (signature included)
    params: dict[str, str] = field(default_factory=dict)  # SMS template parameters
    data: dict[str, dict[str, str]] = field(default_factory=dict)  # WeChat template data
    link: str | None = None
    template: str = OFFERS  # the kind of message, whose template a vendor would send


class RecordingProvider:
    """Implements both SmsVendor and WechatVendor; records every call, duplicates included, so tests see them."""

    name = "recording"

    def __init__(self, *, clock: Clock | None = None) -> None:
        self.messages: list[RecordedMessage] = []
        self._clock = clock or SystemClock()
        self._ids = itertools.count(1)

    async def send_sms(self, *, phone: str, template_params: Mapping[str, str], text: str,
                       idempotency_key: str, template: str = OFFERS) -> SendResult:
        """Record one SMS as sent."""
        return self._record(RecordedMessage(channel="sms", to=phone, idempotency_key=idempotency_key,
                                            provider_message_id=f"rec-{next(self._ids)}", at=self._clock.now(),
                                            text=text, params=dict(template_params), template=template))

    async def send_template(self, *, openid: str, data: Mapping[str, Mapping[str, str]], link: str | None,
                            client_msg_id: str, template: str = OFFERS) -> SendResult:
        """Record one WeChat template message as sent."""
        return self._record(RecordedMessage(channel="wechat", to=openid, idempotency_key=client_msg_id,
                                            provider_message_id=f"rec-{next(self._ids)}", at=self._clock.now(),
                                            data={k: dict(v) for k, v in data.items()}, link=link,
                                            template=template))

    def sent_to(self, to: str) -> list[RecordedMessage]:
        """The messages recorded for one phone number or openid, oldest first."""
        return [m for m in self.messages if m.to == to]

    def _record(self, message: RecordedMessage) -> SendResult:
        self.messages.append(message)
        return SendResult(provider=self.name, status="sent", provider_message_id=message.provider_message_id,
                          raw_code="OK")
