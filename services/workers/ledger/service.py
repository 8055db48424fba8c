"""Importing a ledger: each good row registered as the API would, each bad row reported once, nothing half-written.

The rows are checked and their numbers sealed in a worker thread before the unit of work opens (`check_rows`); in
it, one query per thousand rows finds the workers registered before, and the profiles and their events go in as
multi-row INSERTs (`import_ledger`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.events import profiles_registered
from services.workers.ledger import rules
from services.workers.ledger.schemas import LedgerReport
from services.workers.profiles.models import WorkerProfile
from shared.auth import Principal
from shared.clock import Clock, local_today
from shared.db import begin_writing
from shared.pii import PiiKeys
from shared.uploads import Table as Upload

PROFILES = cast(Table, WorkerProfile.__table__)  # declarative models type __table__ as a FromClause
BATCH = 500  # profiles per INSERT; a clash (another request registering a number meanwhile) redoes one batch
LOOKUP = 1000  # blind indexes per IN list


async def check_rows(*, table: Upload, by: Principal, keys: PiiKeys, clock: Clock) -> list[rules.Checked]:
    """Check every row and seal its numbers, in a worker thread: the event loop serves other requests meanwhile."""
    now, today = clock.now(), local_today(clock)
    return await asyncio.to_thread(
        lambda: [rules.check(row, by=by, keys=keys, now=now, today=today) for row in table.rows])


async def import_ledger(*, session: AsyncSession, checked: list[rules.Checked], unknown_columns: list[str],
                        by: Principal, clock: Clock) -> LedgerReport:
    """Register each good row of a checked ledger; report each refused row once, with its first problem."""
    await begin_writing(session)  # SQLite: the write lock now, so no other writer slips in between look-up and insert
    hashes = [item.profile["id_number_hash"] for item in checked if item.profile is not None]
    outcome = rules.sort_out(checked, await _registered(session, hashes), by=by)
    rows_by_number = {item.row.number: item.row for item in checked}
    inserted: list[dict[str, Any]] = []
    for start in range(0, len(outcome.profiles), BATCH):
        done, raced = await _insert(session, outcome.profiles[start:start + BATCH])
        inserted += done
        outcome.errors += [rules.registered_meanwhile(rows_by_number[number]) for number in raced]
        outcome.duplicates += len(raced)
    await profiles_registered(session, inserted, clock=clock)
    outcome.errors.sort(key=lambda error: error.row)
    return LedgerReport(imported=len(inserted), errors=outcome.errors, duplicates=outcome.duplicates,
                        unknown_columns=unknown_columns)


async def _registered(session: AsyncSession, hashes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """ID-card blind index -> (profile id, home region) of the workers registered with any of `hashes`."""
    wanted = list(hashes)
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(wanted), LOOKUP):
        rows = await session.execute(select(PROFILES.c.id_number_hash, PROFILES.c.id, PROFILES.c.home_region_code)
                                     .where(PROFILES.c.id_number_hash.in_(wanted[start:start + LOOKUP])))
        found.update({row.id_number_hash: (row.id, row.home_region_code) for row in rows})
    return found


async def _insert(session: AsyncSession,
                  batch: list[tuple[int, dict[str, Any]]]) -> tuple[list[dict[str, Any]], list[int]]:
    """Insert a batch in a SAVEPOINT; should another request have registered one of its numbers since the look-up,
    that row is left out (its number returned) and the rest inserted. The rows inserted, and the row numbers raced."""
    raced: list[int] = []
    while batch:
        try:
            async with session.begin_nested():
                await session.execute(PROFILES.insert(), [profile for _, profile in batch])
            return [profile for _, profile in batch], raced
        except IntegrityError:
            taken = await _registered(session, (profile["id_number_hash"] for _, profile in batch))
            if not taken:
                raise
            raced += [number for number, profile in batch if profile["id_number_hash"] in taken]
            batch = [(number, profile) for number, profile in batch if profile["id_number_hash"] not in taken]
    return [], raced
