"""When SMS went to each phone number lately, so the per-number limits hold across workers who share a phone.

Numbers are known by their keyed hash only (the attempts table keeps no phone number). Sends of this process that
are not recorded yet are reserved here, so two passes running at once for two profiles with one phone do not both go.
The passes that ask at about the same time are answered by one query.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select

from services.notify.messages.models import Attempt
from shared.db import Database

SENT_OUTCOMES = ("sent", "found_sent")
_DAY = timedelta(days=1)
_SAME_SEND = timedelta(seconds=5)  # a reservation this close to a recorded send is that send


class SmsByNumber:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._reserved: defaultdict[str, list[datetime]] = defaultdict(list)
        self._asked: list[tuple[str, datetime, asyncio.Future[list[datetime]]]] = []
        self._loading: asyncio.Task[None] | None = None

    async def sent_at(self, number_hash: str, *, now: datetime) -> list[datetime]:
        """The SMS of the last day to the number: recorded ones, and this process's reservations not yet recorded."""
        recorded = await self._recorded(number_hash, now=now)
        # From here to the caller's `reserve` nothing awaits: a pass resumed after this one sees its reservation.
        reserved = [at for at in self._reserved.get(number_hash, ()) if at >= now - _DAY
                    and not any(abs(at - sent) < _SAME_SEND for sent in recorded)]
        return recorded + reserved

    async def _recorded(self, number_hash: str, *, now: datetime) -> list[datetime]:
        """The recorded SMS of the last day to the number; asked together with the passes that ask meanwhile."""
        answer: asyncio.Future[list[datetime]] = asyncio.get_running_loop().create_future()
        self._asked.append((number_hash, now, answer))
        if self._loading is None or self._loading.done():
            self._loading = asyncio.create_task(self._load(), name="notify-sms-by-number")
        return await answer

    async def _load(self) -> None:
        """Answer everything asked so far with one query, again while more was asked during it."""
        asked: list[tuple[str, datetime, asyncio.Future[list[datetime]]]] = []
        try:
            await asyncio.sleep(0)  # the passes started in the same turn of the loop ask too
            while self._asked:
                asked, self._asked = self._asked, []
                await self._answer(asked)
        finally:  # cancelled (the process stops): nobody is left waiting
            for _, _, answer in asked + self._asked:
                if not answer.done():
                    answer.cancel()

    async def _answer(self, asked: list[tuple[str, datetime, asyncio.Future[list[datetime]]]]) -> None:
        since = min(now for _, now, _ in asked) - _DAY
        try:
            async with self.database.sessions() as session:
                rows = (await session.execute(select(Attempt.number_hash, Attempt.at).where(
                    Attempt.number_hash.in_(sorted({key for key, _, _ in asked})), Attempt.channel == "sms",
                    Attempt.outcome.in_(SENT_OUTCOMES), Attempt.at >= since))).all()
        except Exception as exc:  # noqa: BLE001 - each pass that asked fails as it would have alone
            for _, _, answer in asked:
                if not answer.done():
                    answer.set_exception(exc)
            return
        found: defaultdict[str | None, list[datetime]] = defaultdict(list)
        for key, at in rows:
            found[key].append(at)
        for key, now, answer in asked:
            if not answer.done():
                answer.set_result([at for at in found.get(key, ()) if at >= now - _DAY])

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
