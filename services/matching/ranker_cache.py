"""The ranker over the open postings, built once and rebuilt only when a posting or the vocabulary changed, or the
day turned."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.ranking import Ranker
from services.matching.ranking.model import PostingView, RankingSettings
from services.matching.readmodels.service import generation, open_postings
from services.matching.vocabulary.models import TaughtPhrase
from services.matching.vocabulary.service import VOCABULARY
from shared.reference.vocabulary import Vocabulary


class RankerCache:
    def __init__(self, settings: RankingSettings) -> None:
        self.settings = settings
        self._key: tuple[int, int, date] | None = None
        self._ranker: Ranker | None = None
        self._postings: dict[str, PostingView] = {}
        self._vocabulary: tuple[int, Vocabulary] | None = None
        self._lock = asyncio.Lock()

    async def vocabulary(self, session: AsyncSession) -> Vocabulary:
        """The reference vocabulary with the phrases staff taught, as they are now (one cheap query when unchanged)."""
        version = await generation(session, VOCABULARY)
        if self._vocabulary is None or self._vocabulary[0] != version:
            taught = dict((await session.execute(select(TaughtPhrase.phrase, TaughtPhrase.occupation_code))).all())
            # Building is CPU work (the first time: the word segmenter and the groups' texts).
            self._vocabulary = (version, await asyncio.to_thread(Vocabulary, taught=taught))
        return self._vocabulary[1]

    async def get(self, session: AsyncSession, *, today: date) -> tuple[Ranker, dict[str, PostingView]]:
        """The ranker for the postings and vocabulary as they are now (two cheap queries when nothing changed)."""
        key = (await generation(session), await generation(session, VOCABULARY), today)
        if key != self._key:
            async with self._lock:
                if key != self._key:
                    vocabulary = await self.vocabulary(session)
                    postings = await open_postings(session)
                    # Building the index is CPU work; the event loop keeps serving meanwhile.
                    self._ranker = await asyncio.to_thread(Ranker, postings, today=today, settings=self.settings,
                                                           vocabulary=vocabulary)
                    self._postings = {p.id: p for p in postings}
                    self._key = key
        assert self._ranker is not None
        return self._ranker, self._postings
