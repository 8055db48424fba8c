"""Look-ups asked together are answered by one bulk call; a failure fails only the asks it was answering."""

from __future__ import annotations

import asyncio

import pytest

from shared.coalesce import Coalesced


class Loader:
    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.fail_on = fail_on

    async def __call__(self, items: list[str]) -> list[str]:
        self.calls.append(list(items))
        await asyncio.sleep(0.01)
        if self.fail_on in items:
            raise ConnectionError("the store is down")
        return [item.upper() for item in items]


async def test_asks_of_one_turn_go_in_one_call_and_each_gets_its_own_answer():
    load = Loader()
    coalesced = Coalesced(load, name="test")
    assert await asyncio.gather(*(coalesced.ask(x) for x in ("a", "b", "a", "c"))) == ["A", "B", "A", "C"]
    assert load.calls == [["a", "b", "a", "c"]]


async def test_asks_made_while_a_call_runs_go_together_in_the_next_and_at_most_so_many_a_call():
    load = Loader()
    coalesced = Coalesced(load, name="test", most=3)
    first = asyncio.gather(*(coalesced.ask(x) for x in "abcde"))
    await asyncio.sleep(0.005)  # the first call is running
    later = asyncio.gather(*(coalesced.ask(x) for x in "fg"))
    assert await first == list("ABCDE") and await later == ["F", "G"]
    assert load.calls == [["a", "b", "c"], ["d", "e", "f"], ["g"]]


async def test_a_failed_call_fails_its_own_asks_only():
    load = Loader(fail_on="b")
    coalesced = Coalesced(load, name="test", most=2)
    results = await asyncio.gather(*(coalesced.ask(x) for x in "abcd"), return_exceptions=True)
    assert [type(r).__name__ if isinstance(r, BaseException) else r for r in results] == [
        "ConnectionError", "ConnectionError", "C", "D"]
    assert await coalesced.ask("e") == "E"  # asked later: a new call


async def test_a_loader_that_answers_the_wrong_number_of_items_is_an_error_not_a_wrong_answer():
    async def short(items: list[str]) -> list[str]:
        return items[:-1]

    coalesced = Coalesced(short, name="test")
    with pytest.raises(RuntimeError, match="1 answers for 2 items"):
        await asyncio.gather(coalesced.ask("a"), coalesced.ask("b"))
