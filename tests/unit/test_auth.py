"""Tokens: roles, scopes, expiry, tampering."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from shared.auth import Principal, Role, TokenError, VerifiedTokens, decode_token, mint_token

KEY = "unit-test-key-of-at-least-thirty-two-bytes"


@pytest.mark.parametrize(("role", "scope", "field", "value"), [
    ("employer", {"employer_id": "e-1"}, "employer_id", "e-1"),
    ("station_staff", {"region": "152221"}, "region", "152221"),
    ("partner_office", {"office_id": "bj-fengtai"}, "office_id", "bj-fengtai"),
])
def test_a_token_carries_its_role_and_scope(role, scope, field, value):
    principal = decode_token(mint_token(key=KEY, role=role, **scope), key=KEY)
    assert principal.role is Role(role) and getattr(principal, field) == value


@pytest.mark.parametrize(("role", "scope"), [("employer", {}), ("station_staff", {}), ("partner_office", {}),
                                             ("station_staff", {"region": "Xing'an"})])
def test_a_scoped_role_without_its_scope_is_not_minted(role, scope):
    with pytest.raises(TokenError):
        mint_token(key=KEY, role=role, **scope)


def test_tampered_expired_and_foreign_tokens_are_refused():
    token = mint_token(key=KEY, role="admin")
    with pytest.raises(TokenError):
        decode_token(token, key="another-key-of-at-least-thirty-two-bytes")
    with pytest.raises(TokenError):
        decode_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), key=KEY)
    old = mint_token(key=KEY, role="admin", ttl=timedelta(hours=1),
                     now=datetime.now(timezone.utc) - timedelta(hours=2))
    with pytest.raises(TokenError):
        decode_token(old, key=KEY)


def test_station_staff_cover_only_their_region():
    staff = Principal(sub="s", role=Role.station_staff, region="152222")
    assert staff.covers_region("152222105") and not staff.covers_region("152221101")
    assert Principal(sub="a", role=Role.admin).covers_region("110106")
    assert not Principal(sub="e", role=Role.employer, employer_id="e").covers_region("152222")


def test_a_verified_token_is_refused_once_it_has_expired():
    tokens = VerifiedTokens()
    token = mint_token(key=KEY, role="admin", ttl=timedelta(seconds=2))
    assert tokens.principal(token, key=KEY).role is Role.admin
    time.sleep(2.1)  # exp is in whole seconds: past it whatever the fraction at minting
    with pytest.raises(TokenError):
        tokens.principal(token, key=KEY)


def test_a_verified_token_is_refused_under_another_key_and_tampered_copies_are_refused():
    tokens = VerifiedTokens(size=4)
    token = mint_token(key=KEY, role="employer", employer_id="e-1")
    assert tokens.principal(token, key=KEY).employer_id == "e-1"
    with pytest.raises(TokenError):
        tokens.principal(token, key="another-key-of-at-least-thirty-two-bytes")
    with pytest.raises(TokenError):
        tokens.principal(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), key=KEY)
    others = [mint_token(key=KEY, role="employer", employer_id=f"e-{i}") for i in range(10)]
    assert [tokens.principal(other, key=KEY).employer_id for other in others] == [f"e-{i}" for i in range(10)]
    assert tokens.principal(token, key=KEY).employer_id == "e-1"  # forgotten past the size, verified again
