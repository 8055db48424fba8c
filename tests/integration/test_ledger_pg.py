"""The ledger import and report on the real PostgreSQL: savepoints per row, one transaction, SQL aggregates."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from services.workers.app import create_app
from services.workers.reports.schemas import FIGURES
from services.workers.settings import WorkersSettings
from shared.auth import mint_token
from shared.clock import FixedClock
from tests.service.test_ledger import id_number, ledger_row, workbook

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"


@pytest.fixture
async def client(pg_url, tmp_path):
    settings = WorkersSettings(data_dir=tmp_path, jwt_secret=SECRET, database_url=pg_url, relay_poll_seconds=0.05)
    app = create_app(settings, clock=FixedClock(datetime(2026, 11, 28, 2, tzinfo=timezone.utc)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            http.headers["Authorization"] = f"Bearer {mint_token(key=SECRET, role='admin')}"
            yield http


async def upload(client: httpx.AsyncClient, data: bytes):
    return await client.post("/workers/profiles/import", files={"file": ("台账.xlsx", data)})


async def test_refused_rows_roll_back_alone_and_a_crash_rolls_back_everything(client, monkeypatch):
    from services.workers.ledger import service as ledger

    rows = [ledger_row(n) for n in range(30)]
    rows[4][1] = id_number(2)  # the same person as row 4
    rows[9][3] = "110106"  # not a place of the League
    first = (await upload(client, workbook(rows))).json()
    assert first["imported"] == 28 and [e["row"] for e in first["errors"]] == [6, 11]
    again = (await upload(client, workbook(rows))).json()
    assert again["imported"] == 0 and again["duplicates"] == 29  # row 6 too now names a registered worker

    real_insert, calls = ledger._insert, []

    async def failing_insert(session, batch):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return await real_insert(session, batch)

    monkeypatch.setattr(ledger, "BATCH", 3)
    monkeypatch.setattr(ledger, "_insert", failing_insert)
    crashed = await upload(client, workbook([ledger_row(n) for n in range(100, 110)]))
    assert crashed.status_code == 500
    monkeypatch.undo()
    assert (await client.get("/workers/profiles?page_size=1")).json()["total"] == 28


async def test_report_figures_equal_their_lists(client):
    assert (await upload(client, workbook([ledger_row(n, township="152221101" if n % 3 else "152222105")
                                           for n in range(30)]))).json()["imported"] == 30
    report = (await client.get("/workers/reports/progress")).json()
    assert report["total"]["registered"] == 30
    for area in report["counties"] + [report["total"]]:
        for figure in FIGURES:
            listing = await client.get(f"/workers/reports/progress/profiles?figure={figure}&region={area['code']}")
            assert listing.json()["total"] == area[figure], (area["code"], figure)


async def test_a_number_registered_meanwhile_redoes_its_batch_without_it(client, monkeypatch):
    from services.workers.ledger import service as ledger

    rows = [ledger_row(n) for n in range(200, 220)]
    first = (await upload(client, workbook(rows[7:8]))).json()
    assert first["imported"] == 1
    real_registered, looked = ledger._registered, []

    async def blind_first_look(session, hashes):  # as if another request committed row 10 just after the look-up
        looked.append(1)
        return {} if len(looked) == 1 else await real_registered(session, hashes)

    monkeypatch.setattr(ledger, "BATCH", 6)
    monkeypatch.setattr(ledger, "_registered", blind_first_look)
    report = (await upload(client, workbook(rows))).json()
    # PostgreSQL aborts a transaction at a unique violation: only the batch's savepoint is rolled back and redone.
    assert report["imported"] == 19 and report["duplicates"] == 1
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(9, "id_number")]
    assert "another request meanwhile" in report["errors"][0]["message"]
    assert (await client.get("/workers/profiles?page_size=1")).json()["total"] == 20
