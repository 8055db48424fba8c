"""Password hashing with Argon2id (argon2-cffi's defaults: RFC 9106's low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
_hasher = PasswordHasher()
# Verified when the username is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY = _hasher.hash("jobbridge-no-such-account")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Whether the password matches the hash (always False, at the same cost, when there is no hash)."""
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def weakness(password: str, *, username: str = "") -> str | None:
    """Why a new password is refused, in Chinese; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"密码至少{MIN_LENGTH}位。"
    if username and username.lower() in password.lower():
        return "密码不能包含用户名。"
    if len(set(password)) < 4:
        return "密码太简单，请混用字母、数字和符号。"
    return None
