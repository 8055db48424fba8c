"""Accounts: create, change, deactivate, sign-in checks with a lockout, password changes, demonstration accounts."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.console.accounts import passwords, rules
from services.console.accounts.models import Account
from services.console.audit import service as audit
from services.console.errors import FormInvalid, PageError
from services.console.settings import ConsoleSettings
from shared.clock import Clock


@dataclass(frozen=True)
class SignInRefused(Exception):
    message: str


async def by_username(*, session: AsyncSession, username: str) -> Account | None:
    return await session.scalar(select(Account).where(Account.username == username))


async def get(*, session: AsyncSession, account_id: str) -> Account:
    account = await session.get(Account, account_id)
    if account is None:
        raise PageError(404, "没有这个账号。")
    return account


async def all_accounts(*, session: AsyncSession) -> list[Account]:
    return list(await session.scalars(select(Account).order_by(Account.role, Account.username)))


async def create(*, session: AsyncSession, clock: Clock, by: str, username: str, display_name: str, role: str,
                 password: str, region: str | None = None, office_id: str | None = None,
                 phone: str | None = None) -> Account:
    """Create an account (audited); the username must be new and the password strong enough."""
    errors = rules.check(username=username, display_name=display_name, role=role, region=region,
                         office_id=office_id, phone=phone)
    if (weak := passwords.weakness(password, username=username)) is not None:
        errors["password"] = weak
    if "username" not in errors and await by_username(session=session, username=username) is not None:
        errors["username"] = "这个用户名已被使用。"
    if errors:
        raise FormInvalid(errors)
    now = clock.now()
    account = Account(id=str(uuid.uuid4()), username=username, display_name=display_name, role=role,
                      phone=phone or None, password_hash=passwords.hash_password(password), active=True,
                      failed_signins=0, created_at=now, password_changed_at=now,
                      **rules.scope_of(role=role, region=region, office_id=office_id))
    session.add(account)
    await session.flush()
    await audit.record(session=session, clock=clock, actor=by, action="account.created", target=username,
                       role=role, region=account.region, office_id=account.office_id)
    return account


async def change(*, session: AsyncSession, clock: Clock, by: str, account: Account, display_name: str, role: str,
                 region: str | None, office_id: str | None, phone: str | None) -> Account:
    """Change an account's name, role, scope or phone (audited, with what changed)."""
    errors = rules.check(username=None, display_name=display_name, role=role, region=region, office_id=office_id,
                         phone=phone)
    if errors:
        raise FormInvalid(errors)
    new = {"display_name": display_name, "role": role, "phone": phone or None,
           **rules.scope_of(role=role, region=region, office_id=office_id)}
    changed = {name: value for name, value in new.items() if getattr(account, name) != value}
    for name, value in changed.items():
        setattr(account, name, value)
    await session.flush()
    if changed:
        await audit.record(session=session, clock=clock, actor=by, action="account.changed",
                           target=account.username, changes=changed)
    return account


async def set_active(*, session: AsyncSession, clock: Clock, by: str, account: Account, active: bool) -> None:
    """Deactivate (its sessions end at once) or reactivate an account (audited)."""
    if account.username == by and not active:
        raise FormInvalid({"": "不能停用自己的账号。"})
    account.active = active
    account.failed_signins, account.locked_until = 0, None
    await session.flush()
    await audit.record(session=session, clock=clock, actor=by,
                       action="account.activated" if active else "account.deactivated", target=account.username)


async def reset_password(*, session: AsyncSession, clock: Clock, by: str, account: Account, password: str) -> None:
    """An admin sets a new password for someone who forgot theirs (audited; the lockout is lifted)."""
    if (weak := passwords.weakness(password, username=account.username)) is not None:
        raise FormInvalid({"password": weak})
    account.password_hash = passwords.hash_password(password)
    account.password_changed_at = clock.now()
    account.failed_signins, account.locked_until = 0, None
    await session.flush()
    await audit.record(session=session, clock=clock, actor=by, action="password.reset", target=account.username)


async def sign_in(*, session: AsyncSession, clock: Clock, settings: ConsoleSettings, username: str,
                  password: str) -> Account:
    """The account if the password is right and it may sign in; otherwise SignInRefused, after a delay.

    Every failure waits, and `max_failed_signins` failures in a row lock the account for `lockout_minutes`
    (a right password does not open a locked account). Unknown names cost the same hash check."""
    account = await by_username(session=session, username=username.strip().lower())
    now = clock.now()
    if account is not None and account.locked_until is not None and account.locked_until > now:
        await _fail(settings)
        await audit.record(session=session, clock=clock, actor=account.username, action="signin.locked")
        raise SignInRefused("登录失败次数过多，账号已暂时锁定，请稍后再试或联系管理员。")
    right = passwords.verify(account.password_hash if account else None, password)
    if account is None or not right:
        if account is not None:
            account.failed_signins += 1
            if account.failed_signins >= settings.max_failed_signins:
                account.locked_until = now + timedelta(minutes=settings.lockout_minutes)
                account.failed_signins = 0
            await audit.record(session=session, clock=clock, actor=account.username, action="signin.failed",
                               locked=account.locked_until is not None and account.locked_until > now)
        await _fail(settings)
        raise SignInRefused("用户名或密码不对。")
    if not account.active:
        await _fail(settings)
        raise SignInRefused("这个账号已停用，请联系管理员。")
    account.failed_signins, account.locked_until = 0, None
    await audit.record(session=session, clock=clock, actor=account.username, action="signin")
    return account


async def _fail(settings: ConsoleSettings) -> None:
    await asyncio.sleep(settings.failed_signin_delay_seconds)


async def change_password(*, session: AsyncSession, clock: Clock, account: Account, current: str, new: str,
                          repeat: str) -> None:
    """Change one's own password: the current one must be right, the new one strong and typed twice."""
    errors: dict[str, str] = {}
    if not passwords.verify(account.password_hash, current):
        errors["current"] = "当前密码不对。"
    if (weak := passwords.weakness(new, username=account.username)) is not None:
        errors["new"] = weak
    elif new != repeat:
        errors["repeat"] = "两次输入的新密码不一样。"
    if errors:
        raise FormInvalid(errors)
    account.password_hash = passwords.hash_password(new)
    account.password_changed_at = clock.now()
    await session.flush()
    await audit.record(session=session, clock=clock, actor=account.username, action="password.changed",
                       target=account.username)
