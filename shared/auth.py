"""Bearer tokens (JWT) with the contract's roles and scopes, and the checks every endpoint makes."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

ALGORITHM = "HS256"
ISSUER = "jobbridge"


class Role(StrEnum):
    employer = "employer"
    station_staff = "station_staff"
    partner_office = "partner_office"
    admin = "admin"
    service = "service"  # another service of the platform (e.g. notify asking workers for contact channels)


@dataclass(frozen=True)
class Principal:
    sub: str
    role: Role
    employer_id: str | None = None
    region: str | None = None
    office_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    def covers_region(self, region_code: str) -> bool:
        """Station staff act only inside their adcode prefix; admin everywhere."""
        return self.is_admin or (self.role is Role.station_staff and self.region is not None and self.region != ""
                                 and region_code.startswith(self.region))


class TokenError(ValueError):
    pass


_ADCODE_PREFIX = re.compile(r"^\d{2,12}$")


def mint_token(*, key: str, role: Role | str, sub: str | None = None, employer_id: str | None = None,
               region: str | None = None, office_id: str | None = None, ttl: timedelta = timedelta(days=30),
               now: datetime | None = None) -> str:
    """Sign a token; the scope a role needs must be given (employer id, region prefix, office id)."""
    role = Role(role)
    scope = {Role.employer: ("employer_id", employer_id), Role.station_staff: ("region", region),
             Role.partner_office: ("office_id", office_id)}.get(role)
    claims: dict[str, object] = {}
    if scope is not None:
        name, value = scope
        if not value:
            raise TokenError(f"a {role.value} token needs {name}")
        if name == "region" and not _ADCODE_PREFIX.match(value):
            raise TokenError("region must be an adcode prefix such as 152221")
        claims[name] = value
    issued = now or datetime.now(timezone.utc)
    claims.update({"sub": sub or f"{role.value}:{uuid.uuid4().hex[:8]}", "role": role.value, "iss": ISSUER,
                   "iat": issued, "exp": issued + ttl})
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def decode_token(token: str, *, key: str) -> Principal:
    return _verify(token, key=key)[0]


def _verify(token: str, *, key: str) -> tuple[Principal, float]:
    """The token's principal and its expiry (seconds since the epoch)."""
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["sub", "role", "exp"]})
        role = Role(claims["role"])
    except (jwt.PyJWTError, ValueError) as exc:
        raise TokenError(str(exc)) from exc
    principal = Principal(sub=claims["sub"], role=role, employer_id=claims.get("employer_id"),
                          region=claims.get("region"), office_id=claims.get("office_id"))
    needed = {Role.employer: principal.employer_id, Role.station_staff: principal.region,
              Role.partner_office: principal.office_id}
    if role in needed and not needed[role]:
        raise TokenError(f"a {role.value} token carries no scope")
    return principal, float(claims["exp"])


class VerifiedTokens:
    """Tokens this process has verified, with their principal, until they expire: a client sends the same token
    with each request, and checking its signature and claims again each time cost as much as a whole small read.
    A token is held no longer than its `exp`; the oldest are forgotten past `size`."""

    def __init__(self, *, size: int = 4096, now: Callable[[], float] = time.time) -> None:
        self.size, self.now = size, now
        self._held: dict[tuple[str, str], tuple[Principal, float]] = {}

    def principal(self, token: str, *, key: str) -> Principal:
        """The token's principal (TokenError when it is not valid now), verified once while it stays valid."""
        held = self._held.get((key, token))
        if held is not None and self.now() < held[1]:
            return held[0]
        principal, expires = _verify(token, key=key)
        if len(self._held) >= self.size:
            for old in list(self._held)[: self.size // 2]:
                del self._held[old]
        self._held[(key, token)] = (principal, expires)
        return principal


_verified = VerifiedTokens()
_bearer = HTTPBearer(auto_error=False)


async def current_principal(request: Request,
                            credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a bearer token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        return _verified.principal(credentials.credentials, key=request.app.state.signing_key)
    except TokenError as exc:
        # The decoder's own words stay out of the answer: they help whoever forges tokens, not whoever signs in.
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "the token is invalid or has expired",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from exc


def require(*roles: Role):
    """A dependency that admits only the given roles (403 otherwise)."""
    allowed = frozenset(roles)

    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {principal.role.value} may not do this")
        return principal

    return check
