"""The migrations that clean text stored before the API refused control characters."""

from __future__ import annotations

import asyncio
import json
import sqlite3

from alembic import command

from shared.migrations import alembic_config
from tests.service.conftest import vacancy, worker


async def rerun_cleaning(unit, before: str, cleaning: str = "0002") -> None:
    """Take the database back to the revision before the cleaning (nothing else changes), run the cleaning again,
    and mark it current again (the later migrations' changes are still in place)."""
    config = alembic_config(service=unit.name, migrations_dir=unit.migrations_dir, url=unit.database.url)

    def run() -> None:  # alembic runs its own event loop (shared.migrations.run_env)
        command.stamp(config, before)
        command.upgrade(config, cleaning)
        command.stamp(config, "head")

    await asyncio.to_thread(run)


async def test_jobs_migration_cleans_postings_employers_and_lists(api, tmp_path):
    employer_id = await api.employer()
    headers = api.auth("employer", employer_id=employer_id)
    posting = (await api.client.post("/jobs/postings", json=vacancy(), headers=headers)).json()
    with sqlite3.connect(tmp_path / "jobs.db") as db:
        db.execute("UPDATE postings SET title = ?, description = ?, skills = ? WHERE id = ?",
                   ("家政\x00服务员", "照顾老人\x01\n做饭\t打扫", json.dumps(["做饭\x1b", "保洁"]), posting["id"]))
        db.execute("UPDATE employers SET name = ? WHERE id = ?", ("北京安居\x07家政", employer_id))

    await rerun_cleaning(api.unit, "0001")

    read = (await api.client.get(f"/jobs/postings/{posting['id']}", headers=headers)).json()
    assert (read["title"], read["description"], read["skills"]) == ("家政服务员", "照顾老人\n做饭\t打扫", ["做饭", "保洁"])
    assert read["employer_name"] == "北京安居家政"


async def test_workers_migration_cleans_profiles(workers_api, tmp_path):
    staff = workers_api.auth("station_staff", region="152222")
    profile = (await workers_api.client.post("/workers/profiles", json=worker(), headers=staff)).json()
    with sqlite3.connect(tmp_path / "workers.db") as db:
        db.execute("UPDATE worker_profiles SET name = ?, skills = ? WHERE id = ?",
                   ("张秀英\x00", json.dumps(["保洁\x01", "做饭"]), profile["id"]))

    await rerun_cleaning(workers_api.unit, "0001")

    read = (await workers_api.client.get(f"/workers/profiles/{profile['id']}", headers=staff)).json()
    assert (read["name"], read["skills"]) == ("张秀英", ["保洁", "做饭"])
