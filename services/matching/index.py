"""The ranker over the open postings, built once and rebuilt only when a posting changed or the day turned."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.ranking import Ranker
from services.matching.ranking.model import PostingView, RankingSettings
from services.matching.readmodels.service import generation, open_postings


class RankerCache:
    def __init__(self, settings: RankingSettings) -> None:
        self.settings = settings
        self._key: tuple[int, date] | None = None
        self._ranker: Ranker | None = None
        self._postings: dict[str, PostingView] = {}
        self._lock = asyncio.Lock()

    async def get(self, session: AsyncSession, *, today: date) -> tuple[Ranker, dict[str, PostingView]]:
        """The ranker for the postings as they are now (one cheap query when nothing changed)."""
        key = (await generation(session), today)
        if key != self._key:
            async with self._lock:
                if key != self._key:
                    postings = await open_postings(session)
                    # Building the index is CPU work; the event loop keeps serving meanwhile.
                    self._ranker = await asyncio.to_thread(Ranker, postings, today=today, settings=self.settings)
                    self._postings = {p.id: p for p in postings}
                    self._key = key
        assert self._ranker is not None, "built above on the first call"
        return self._ranker, self._postings
