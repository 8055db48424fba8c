"""The signed, expiring token of an offers page link: it names one message and is the only key to its page.

`<message id, 32 hex>.<expiry, unix seconds in base 36>.<HMAC-SHA256 of both, first 16 bytes, base64url>`: short
enough for a WeChat template URL, and nothing in it but the message id and a date.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import datetime, timedelta, timezone

VALID_FOR = timedelta(days=30)
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


class BadToken(ValueError):
    """Not a token we made, changed since, or past its date."""


def make(message_id: str, *, key: bytes, now: datetime, valid_for: timedelta = VALID_FOR) -> str:
    """The token naming this message, valid until `now + valid_for`."""
    body = f"{uuid.UUID(message_id).hex}.{_base36(int((now + valid_for).timestamp()))}"
    return f"{body}.{_mac(body, key)}"


def read(token: str, *, key: bytes, now: datetime) -> str:
    """The message id the token names; BadToken when it is malformed, tampered with or expired."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 100:
        raise BadToken("malformed")
    hex_id, expiry, mac = parts
    if not hmac.compare_digest(mac, _mac(f"{hex_id}.{expiry}", key)):
        raise BadToken("signature")
    try:
        message_id, expires = str(uuid.UUID(hex=hex_id)), int(expiry, 36)
    except ValueError as exc:
        raise BadToken("malformed") from exc
    if datetime.fromtimestamp(expires, timezone.utc) <= now:
        raise BadToken("expired")
    return message_id


def _mac(body: str, key: bytes) -> str:
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _base36(number: int) -> str:
    text = ""
    while number:
        number, digit = divmod(number, 36)
        text = _DIGITS[digit] + text
    return text or "0"
