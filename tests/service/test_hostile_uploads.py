"""Hostile uploads against the running apps: refused in moments, and no other request waits while a file is read."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from types import ModuleType

import pytest

from services.jobs.supply_lists import rules as supply_rules
from services.workers.ledger import rules as ledger_rules
from shared import heap
from tests.service.conftest import worker
from tests.service.test_ledger import ledger_row, workbook as ledger_workbook
from tests.service.test_supply_lists import good_row, workbook as supply_workbook
from tests.unit.hostile_files import comment_bomb, long_workbook

OFFICE = "bj-fengtai-hrss"


async def new_list(api) -> tuple[str, dict]:
    office = api.auth("partner_office", office_id=OFFICE)
    body = {"title": "丰台区清单", "source_region_code": "110106", "period_start": "2027-01-01",
            "period_end": "2027-06-30"}
    response = await api.client.post("/jobs/supply-lists", json=body, headers=office)
    assert response.status_code == 201, response.text
    return response.json()["id"], office


@pytest.fixture
def heap_settled():
    """The test process's own heap out of the collector's sight while a test times the server. By this point of a
    full run it holds about four million objects, and a full pass over them stopped the event loop for 3 s: a pause
    of the test process, not of the server, which once made a write look as if it had waited for an import."""
    heap.settle()
    yield
    gc.unfreeze()
    gc.collect()  # counts the oldest generation again, so the pass it would owe does not fall in a later test


def as_file(data: bytes, name: str = "list.xlsx") -> dict:
    return {"file": (name, data, "application/octet-stream")}


async def test_a_comment_bomb_supply_list_is_refused_within_seconds(api):
    list_id, office = await new_list(api)
    started = time.monotonic()

    response = await api.client.post(f"/jobs/supply-lists/{list_id}/postings/import", files=as_file(comment_bomb(16 << 20)),
                                     headers=office)

    assert response.status_code == 400, response.text
    assert time.monotonic() - started < 10


async def test_a_comment_bomb_ledger_is_refused_within_seconds(workers_api):
    started = time.monotonic()

    response = await workers_api.client.post("/workers/profiles/import", files=as_file(comment_bomb(16 << 20)),
                                             headers=workers_api.auth("station_staff", region="152222"))

    assert response.status_code == 400, response.text
    assert time.monotonic() - started < 10


@pytest.mark.usefixtures("heap_settled")
async def test_a_write_is_served_while_a_long_supply_list_is_read(api):
    list_id, office = await new_list(api)
    data = long_workbook(300_000)  # a few seconds to read, nothing to import
    importing = asyncio.create_task(api.client.post(f"/jobs/supply-lists/{list_id}/postings/import",
                                                    files=as_file(data), headers=office))
    await asyncio.sleep(0.3)

    created = await api.client.post("/jobs/employers", json={"name": "兴安盟某公司", "region_code": "152201"},
                                    headers=api.auth("admin"))

    assert created.status_code == 201
    assert not importing.done(), "the import ended before the write: make its file longer"
    report = await importing
    assert report.status_code == 200 and report.json()["imported"] == 0


class HeldChecks:
    """The import's check of its rows (our own `rules.check`, in the import's worker thread), held at its first row
    until the test lets it go: the file has been read by then, and the import's unit of work must not be open yet."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, rules: ModuleType) -> None:
        self.checking, self.released = threading.Event(), threading.Event()
        check = rules.check

        def held(row, **kwargs):
            self.checking.set()
            if not self.released.wait(timeout=60):
                raise RuntimeError("the test never let the import go on")
            return check(row, **kwargs)

        monkeypatch.setattr(rules, "check", held)

    async def reached(self) -> None:
        assert await asyncio.to_thread(self.checking.wait, 30), "the import never reached the check of its rows"


async def served_meanwhile(write, held: HeldChecks):
    """The write's answer, asked while the import is held in its check; a write that waits for the import (its unit
    of work open, on SQLite the one write turn taken) is not answered before the import is let go, and fails here."""
    try:
        return await asyncio.wait_for(write, timeout=15)
    except TimeoutError:
        raise AssertionError("the write waited for the import's rows to be checked") from None
    finally:
        held.released.set()


async def test_a_registration_is_served_while_a_large_ledger_is_checked(workers_api, monkeypatch):
    api = workers_api
    held = HeldChecks(monkeypatch, ledger_rules)
    data = ledger_workbook([ledger_row(n) for n in range(4000)])
    importing = asyncio.create_task(api.client.post("/workers/profiles/import", files=as_file(data, "台账.xlsx"),
                                                    headers=api.auth("station_staff", region="152222")))
    await held.reached()

    created = await served_meanwhile(api.client.post("/workers/profiles", json=worker(), headers=api.auth("admin")),
                                     held)

    assert created.status_code == 201, created.text
    report = await importing
    assert report.status_code == 200 and report.json()["imported"] == 4000


async def test_an_employer_is_created_while_a_large_supply_list_is_checked(api, monkeypatch):
    list_id, office = await new_list(api)
    held = HeldChecks(monkeypatch, supply_rules)
    data = supply_workbook([good_row(n) for n in range(4000)])
    importing = asyncio.create_task(api.client.post(f"/jobs/supply-lists/{list_id}/postings/import",
                                                    files=as_file(data), headers=office))
    await held.reached()

    created = await served_meanwhile(api.client.post("/jobs/employers", json={"name": "兴安盟某公司",
                                                                              "region_code": "152201"},
                                                     headers=api.auth("admin")), held)

    assert created.status_code == 201, created.text
    report = await importing
    assert report.status_code == 200 and report.json()["imported"] == 4000
