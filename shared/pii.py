"""Personal data protection: sealing ID-card and phone numbers, keyed lookup hashes, and masks for display."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"
_NONCE_BYTES = 12
_TAG_BYTES = 16
# Key ids travel inside tokens separated by dots, so an id may not contain one.
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


class PiiError(Exception):
    """A sealed value that cannot be opened, or a keyring that cannot be built."""


def key_id_for(key: bytes) -> str:
    """The id a key always gets, so every process derives the same id from the same secret."""
    return hashlib.sha256(key).hexdigest()[:8]


class PiiKeys:
    """The keyring: the key new values are sealed under, retired keys that still open old values, the hash key."""

    def __init__(self, *, keys: Mapping[str, bytes], current: str, hash_key: bytes) -> None:
        for key_id, key in keys.items():
            if not _KEY_ID.fullmatch(key_id):
                raise PiiError(f"key id {key_id!r} must be 1-32 letters, digits, '-' or '_'")
            if len(key) != 32:
                raise PiiError(f"key {key_id} must be 32 bytes, not {len(key)}")
        if current not in keys:
            raise PiiError(f"the current key id {current} is not in the keyring")
        if len(hash_key) < 16:
            raise PiiError("the hash key must be at least 16 bytes")
        self.current = current
        self.hash_key = bytes(hash_key)
        self._ciphers = {key_id: AESGCM(bytes(key)) for key_id, key in keys.items()}
        # The HMAC with the key already mixed in: each blind index copies it instead of deriving the key pads again.
        self._hasher = hmac.new(self.hash_key, digestmod=hashlib.sha256)

    @classmethod
    def from_settings(cls, *, current_key_hex: str, hash_key_hex: str, old_keys: str = "") -> PiiKeys:
        """Build the keyring from hex secrets; `old_keys` is "id:hex,id:hex" or "hex,hex" (ids derived)."""
        current_key = _from_hex(current_key_hex, "the current key")
        keys = {key_id_for(current_key): current_key}
        for item in filter(None, (part.strip() for part in old_keys.split(","))):
            given_id, _, key_hex = item.rpartition(":")
            key = _from_hex(key_hex, f"old key {given_id or 'without id'}")
            # A retired key is always reachable under its derived id (the id it was sealed under while it was
            # current), and also under the id the operator wrote, if any.
            for key_id in filter(None, {key_id_for(key), given_id}):
                if keys.setdefault(key_id, key) != key:
                    raise PiiError(f"key id {key_id} names two different keys")
        return cls(keys=keys, current=key_id_for(current_key), hash_key=_from_hex(hash_key_hex, "the hash key"))

    def hasher(self) -> hmac.HMAC:
        """A fresh keyed HMAC-SHA256 for one blind index."""
        return self._hasher.copy()

    def cipher(self, key_id: str) -> AESGCM:
        try:
            return self._ciphers[key_id]
        except KeyError:
            raise PiiError(f"unknown key id {key_id}") from None

    def __repr__(self) -> str:  # never print key material
        return f"PiiKeys(current={self.current!r}, ids={sorted(self._ciphers)!r})"


def _from_hex(text: str, what: str) -> bytes:
    try:
        return bytes.fromhex(text.strip())
    except ValueError:
        raise PiiError(f"{what} is not hexadecimal") from None


def normalise(value: str, *, purpose: str) -> str:
    """The canonical form of a value, so that the same number typed two ways seals and hashes alike."""
    if purpose not in ("id_number", "phone"):
        return value.strip()
    # NFKC turns the full-width digits and Ｘ a Chinese input method produces into ASCII.
    text = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value)).upper()
    if purpose == "id_number":
        return text
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            return text[len(prefix):]
    # A bare 86 is a country code only in front of an 11-digit mobile number (which starts with 1).
    return text[2:] if len(text) == 13 and text.startswith("861") else text


def seal(value: str, *, keys: PiiKeys, purpose: str) -> str:
    """Encrypt a value under the current key; the purpose is bound in, so a token only opens for its own column."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = keys.cipher(keys.current).encrypt(nonce, normalise(value, purpose=purpose).encode(), purpose.encode())
    return f"{VERSION}.{keys.current}.{_b64(nonce + sealed)}"


def open_sealed(token: str, *, keys: PiiKeys, purpose: str) -> str:
    """Decrypt a token made by `seal` for the same purpose."""
    key_id, body = _split(token)
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:  # binascii.Error is one
        raise PiiError("sealed value is not base64url") from None
    # Base64 decoding ignores stray bits in the last character; insisting on the canonical text makes any
    # changed character count as tampering.
    if _b64(raw) != body or len(raw) < _NONCE_BYTES + _TAG_BYTES:
        raise PiiError("sealed value is malformed")
    try:
        clear = keys.cipher(key_id).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], purpose.encode())
    except InvalidTag:
        raise PiiError("sealed value does not open: altered, or sealed for another purpose") from None
    return clear.decode()


def needs_reseal(token: str, *, keys: PiiKeys) -> bool:
    """Whether a token was sealed under a key other than the current one (a rotation has happened since)."""
    return _split(token)[0] != keys.current


def blind_index(value: str, *, keys: PiiKeys, purpose: str) -> str:
    """A keyed hash for uniqueness and lookup: equal for equal values, useless without the hash key."""
    # The zero byte keeps purpose and value apart, so no two (purpose, value) pairs hash the same input.
    hasher = keys.hasher()
    hasher.update(purpose.encode() + b"\x00" + normalise(value, purpose=purpose).encode())
    return hasher.hexdigest()


def mask_id_number(value: str) -> str:
    """Show the region and the last four of an ID number, hiding the birth date and sequence."""
    text = normalise(value, purpose="id_number")
    if len(text) == 18:
        return text[:6] + "*" * 8 + text[-4:]
    return _mask(text, head=3, tail=2)


def mask_phone(value: str) -> str:
    """Show the carrier prefix and the last four of a phone number."""
    return _mask(normalise(value, purpose="phone"), head=3, tail=4)


def last4(value: str) -> str:
    """The last four characters, which staff use to confirm a number with the worker."""
    # ID and phone numbers end alike once spaces and dashes are gone; the ID form also upper-cases an x.
    return normalise(value, purpose="id_number")[-4:]


def _mask(text: str, *, head: int, tail: int) -> str:
    # A value too short to hide at least four characters would show nearly all of itself, so it is hidden whole.
    if len(text) - head - tail < 4:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[-tail:]


def _split(token: str) -> tuple[str, str]:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != VERSION or not parts[1] or not parts[2]:
        raise PiiError("not a sealed value of version v1")
    return parts[1], parts[2]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
