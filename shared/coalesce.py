"""Look-ups (or calls) asked for at about the same time, answered by one bulk call.

Work that runs many passes at once (notify's dispatcher sends 64 messages together) asks the same kind of question
from each pass: the contact of a worker, the SMS lately sent to a number; or makes the same kind of call: an SMS at
Aliyun, which takes up to 100 numbers in one request. Asked one by one, each is a round trip; `Coalesced` lets every
pass ask for its own item as if alone, and answers all the items asked in the same turn of the event loop — and
those asked while that answer was being fetched — with one call of a bulk loader.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Ask = TypeVar("Ask")
Answer = TypeVar("Answer")


class Coalesced(Generic[Ask, Answer]):
    """`await coalesced.ask(item)`: the bulk loader's answer for that item.

    `load` takes the items asked (at most `most` at a time) and returns one answer per item, in the same order. If it
    raises, every ask it was answering raises the same error, as each would have alone; asks made later get a new
    call.
    """

    def __init__(self, load: Callable[[list[Ask]], Awaitable[Sequence[Answer]]], *, name: str,
                 most: int = 200) -> None:
        self._load_many = load
        self._name = name
        self._most = most
        self._asked: list[tuple[Ask, asyncio.Future[Answer]]] = []
        self._loading: asyncio.Task[None] | None = None

    async def ask(self, item: Ask) -> Answer:
        answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._asked.append((item, answer))
        if self._loading is None or self._loading.done():
            self._loading = asyncio.create_task(self._answer_all(), name=self._name)
        return await answer

    async def _answer_all(self) -> None:
        taken: list[tuple[Ask, asyncio.Future[Answer]]] = []
        try:
            await asyncio.sleep(0)  # the passes started in the same turn of the loop ask too
            while self._asked:
                taken, self._asked = self._asked[:self._most], self._asked[self._most:]
                await self._answer(taken)
        finally:  # cancelled (the process stops): nobody is left waiting
            for _, answer in taken + self._asked:
                if not answer.done():
                    answer.cancel()

    async def _answer(self, taken: list[tuple[Ask, asyncio.Future[Answer]]]) -> None:
        try:
            answers = await self._load_many([item for item, _ in taken])
            if len(answers) != len(taken):
                raise RuntimeError(f"{self._name}: {len(answers)} answers for {len(taken)} items")
        except Exception as exc:  # noqa: BLE001 - each ask fails as it would have alone
            for _, answer in taken:
                if not answer.done():
                    answer.set_exception(exc)
            return
        for (_, answer), found in zip(taken, answers):
            if not answer.done():
                answer.set_result(found)
