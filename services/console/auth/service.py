"""Sessions: made at sign-in, found from the cookie on every request, ended at sign-out, deactivation or expiry."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.console.accounts.models import Account
from services.console.auth.models import SignInSession
from shared.clock import Clock

COOKIE = "jb_session"
SIGNIN_CSRF_COOKIE = "jb_signin_csrf"  # the sign-in form has no session yet: its token is double-submitted


@dataclass(frozen=True)
class Who:
    """The signed-in account as it was read for this request (a plain copy: pages render it after any rollback)."""

    id: str
    username: str
    display_name: str
    role: str
    region: str | None
    office_id: str | None
    phone: str | None

    @classmethod
    def of(cls, account: Account) -> Who:
        return cls(id=account.id, username=account.username, display_name=account.display_name, role=account.role,
                   region=account.region, office_id=account.office_id, phone=account.phone)


@dataclass(frozen=True)
class SignedIn:
    account: Who
    csrf_token: str
    token_hash: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens (False when either is missing)."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


async def start(*, session: AsyncSession, clock: Clock, account: Account, hours: float) -> str:
    """Open a session for the account; return the cookie's token (only its hash is stored)."""
    token = new_token()
    now = clock.now()
    session.add(SignInSession(token_hash=_hash(token), account_id=account.id, csrf_token=new_token(),
                              created_at=now, expires_at=now + timedelta(hours=hours)))
    await session.flush()
    return token


async def find(*, session: AsyncSession, clock: Clock, token: str | None) -> SignedIn | None:
    """The session of this cookie token, if it exists, has not expired and its account is active."""
    if not token:
        return None
    row = await session.get(SignInSession, _hash(token))
    if row is None or row.expires_at <= clock.now():
        return None
    account = await session.get(Account, row.account_id)
    if account is None or not account.active:
        return None
    return SignedIn(account=Who.of(account), csrf_token=row.csrf_token, token_hash=row.token_hash)


async def end(*, session: AsyncSession, token_hash: str) -> None:
    await session.execute(delete(SignInSession).where(SignInSession.token_hash == token_hash))


async def end_all(*, session: AsyncSession, account_id: str, keep: str | None = None) -> None:
    """End every session of the account (deactivation, password change), except `keep`."""
    query = delete(SignInSession).where(SignInSession.account_id == account_id)
    if keep:
        query = query.where(SignInSession.token_hash != keep)
    await session.execute(query)


async def sweep(*, session: AsyncSession, clock: Clock) -> None:
    await session.execute(delete(SignInSession).where(SignInSession.expires_at <= clock.now()))


async def count_for(*, session: AsyncSession, account_id: str) -> int:
    return len(list(await session.scalars(select(SignInSession.token_hash)
                                          .where(SignInSession.account_id == account_id))))
