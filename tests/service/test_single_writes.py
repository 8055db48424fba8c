"""A single write on SQLite (`Database.single_write`): there the record and its event are two statements in one
transaction, and a failure in either, or before the unit ends, leaves nothing written."""

from __future__ import annotations

from typing import cast

import pytest
from sqlalchemy import Table, func, select

from services.jobs.db import outbox
from services.jobs.events import POSTING_OPENED, snapshot_of, view_of
from services.jobs.postings import rules
from services.jobs.postings.models import Posting
from services.jobs.postings.schemas import PostingIn
from services.jobs.postings.service import opened
from shared.errors import Conflict
from shared.events.outbox import add_event
from tests.service.conftest import vacancy

POSTINGS = cast(Table, Posting.__table__)


async def counts(database) -> tuple[int, int]:
    async with database.reading() as connection:
        postings = await connection.scalar(select(func.count()).select_from(POSTINGS))
        events = await connection.scalar(select(func.count()).select_from(outbox))
    return postings, events


async def test_a_posting_whose_event_cannot_be_written_is_not_written_either(api):
    database = api.unit.database
    employer_id = await api.employer()
    made = await api.client.post("/jobs/postings", headers=api.auth("employer", employer_id=employer_id),
                                 json=vacancy())
    assert made.status_code == 201, made.text
    assert await counts(database) == (1, 1)

    fields = rules.complete(PostingIn.model_validate(vacancy()).model_dump())
    row = opened(fields, employer_id=employer_id, now=api.clock.now(), today=api.clock.now().date())
    view = view_of(row, employer_name="北京安居家政服务有限公司", supply_list_office_id=None)
    taken = row | {"id": made.json()["id"]}  # the row written along with the new one clashes
    with pytest.raises(Conflict):
        async with database.single_write() as write:
            await add_event(write, outbox, clock=api.clock, producer="jobs", type=POSTING_OPENED, subject=row["id"],
                            version=1, data=snapshot_of(view), along=[(POSTINGS, row), (POSTINGS, taken)])
    assert await counts(database) == (1, 1)

    with pytest.raises(RuntimeError, match="after the write"):
        async with database.single_write() as write:
            await add_event(write, outbox, clock=api.clock, producer="jobs", type=POSTING_OPENED, subject=row["id"],
                            version=1, data=snapshot_of(view), along=[(POSTINGS, row)])
            raise RuntimeError("a failure after the write, inside the unit")
    assert await counts(database) == (1, 1)
