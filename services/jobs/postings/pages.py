"""Pages of the postings listing kept as they were sent, until a posting changes.

Clerks of one region, and the district offices, ask for the same few pages (the open postings of a region, newest
first) again and again; each answer costs a statement that counts every match, and its shaping. A page is kept here,
as the JSON that was sent, and sent again until anything is written to the jobs outbox: every change to a posting
(posted, changed, closed, expired, filled, imported) writes an event there in its own transaction. This process's
writes clear the pages as they commit (`Database.on_commit`); another process's reach it through PostgreSQL's
NOTIFY, which each such commit sends (`shared.events.wakeup`). While that is not listened to (not yet connected, or
the connection lost), nothing is kept or sent from here. A page is also never older than `max_age`, whatever
changed outside the platform's own writes.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

from shared.db import Database
from shared.events.outbox import OUTBOX_CHANNEL
from shared.events.wakeup import listening
from shared.runtime import BackgroundTask

PAGES_KEPT = 512
MAX_AGE_SECONDS = 30.0


def _never() -> bool:
    return False


class Pages:
    """The kept pages, by what was asked (filters, page, and whose postings for an employer)."""

    def __init__(self, *, size: int = PAGES_KEPT, max_age: float = MAX_AGE_SECONDS,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.size, self.max_age, self.now = size, max_age, now
        self.generation = 0  # how many changes this process has heard of: a page read before one is not kept
        self.following: Callable[[], bool] = _never  # whether every change now reaches `changed`
        self._kept: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def changed(self) -> None:
        self.generation += 1
        self._kept.clear()

    def get(self, key: Hashable) -> bytes | None:
        if not self.following():
            return None
        kept = self._kept.get(key)
        if kept is None:
            return None
        if self.now() - kept[0] >= self.max_age:
            del self._kept[key]
            return None
        self._kept.move_to_end(key)
        return kept[1]

    async def served(self, key: Hashable, read: Callable[[], Awaitable[bytes]]) -> bytes:
        """The page kept for `key`, or the one `read` makes now (kept unless a change is heard of meanwhile)."""
        if (kept := self.get(key)) is not None:
            return kept
        generation = self.generation
        page = await read()
        self.put(key, page, generation=generation)
        return page

    def put(self, key: Hashable, page: bytes, *, generation: int) -> None:
        """Keep `page`, read when `generation` was current, unless a change has been heard of since."""
        if generation != self.generation or not self.size or not self.following():
            return
        self._kept[key] = (self.now(), page)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)


def follow_changes(pages: Pages, database: Database) -> BackgroundTask:
    """The task, in a process that serves the listing, that tells `pages` of every change to the postings: this
    process's commits as they happen, other processes' through NOTIFY on PostgreSQL. On SQLite the database is this
    process's alone."""
    database.on_commit(OUTBOX_CHANNEL, pages.changed)

    async def follow(stop: asyncio.Event) -> None:
        if database.is_sqlite:
            pages.following = _always
            try:
                await stop.wait()
            finally:
                pages.following = _never
            return
        async with listening(database, OUTBOX_CHANNEL, pages.changed, name="jobs pages") as listener:
            assert listener is not None, "PostgreSQL has a listener"
            pages.following = lambda: listener.backend_pid is not None
            try:
                await stop.wait()
            finally:
                pages.following = _never
                pages.changed()

    return follow


def _always() -> bool:
    return True
