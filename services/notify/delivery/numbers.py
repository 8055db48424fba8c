"""When SMS went to each phone number lately, so the per-number limits hold across workers who share a phone.

Numbers are known by their keyed hash only (the attempts table keeps no phone number). Sends of this process that
are not recorded yet are reserved here, so two passes running at once for two profiles with one phone do not both go.
The passes that ask at about the same time are answered by one query.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select

from services.notify.messages.models import Attempt
from shared.coalesce import Coalesced
from shared.db import Database, on_postgresql, one_of

SENT_OUTCOMES = ("sent", "found_sent")
_DAY = timedelta(days=1)
_SAME_SEND = timedelta(seconds=5)  # a reservation this close to a recorded send is that send


class SmsByNumber:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._reserved: defaultdict[str, list[datetime]] = defaultdict(list)
        self._recorded = Coalesced(self._recorded_all, name="notify-sms-by-number")

    async def sent_at(self, number_hash: str, *, now: datetime) -> list[datetime]:
        """The SMS of the last day to the number: recorded ones, and this process's reservations not yet recorded."""
        recorded = await self._recorded.ask((number_hash, now))
        # From here to the caller's `reserve` nothing awaits: a pass resumed after this one sees its reservation.
        reserved = [at for at in self._reserved.get(number_hash, ()) if at >= now - _DAY
                    and not any(abs(at - sent) < _SAME_SEND for sent in recorded)]
        return recorded + reserved

    async def _recorded_all(self, asked: list[tuple[str, datetime]]) -> list[list[datetime]]:
        """The recorded SMS of the last day to each number asked (with the moment it was asked), in one query."""
        since = min(now for _, now in asked) - _DAY
        async with self.database.sessions() as session:
            rows = (await session.execute(_RECORDED[on_postgresql(session)], {
                "numbers": sorted({key for key, _ in asked}), "since": since})).all()
        found: defaultdict[str | None, list[datetime]] = defaultdict(list)
        for key, at in rows:
            found[key].append(at)
        return [[at for at in found.get(key, ()) if at >= now - _DAY] for key, now in asked]

    def release(self, number_hash: str, at: datetime) -> None:
        """Forget a reservation whose send did not happen."""
        times = self._reserved.get(number_hash)
        if times and at in times:
            times.remove(at)

    def reserve(self, number_hash: str, at: datetime) -> None:
        """Count a send to the number from now on, before it is recorded."""
        times = self._reserved[number_hash]
        times.append(at)
        times[:] = [moment for moment in times if moment >= at - _DAY]
        if len(self._reserved) > 100_000:
            recent = {key: times for key, times in self._reserved.items() if times and times[-1] >= at - _DAY}
            self._reserved = defaultdict(list, recent)


# The SMS sent since `since` to the numbers bound as `numbers`, per kind of database (True: PostgreSQL).
_RECORDED = {postgresql: select(Attempt.number_hash, Attempt.at).where(
    one_of(Attempt.number_hash, "numbers", postgresql=postgresql), Attempt.channel == "sms",
    Attempt.outcome.in_(SENT_OUTCOMES), Attempt.at >= bindparam("since", type_=Attempt.at.type))
    for postgresql in (True, False)}
