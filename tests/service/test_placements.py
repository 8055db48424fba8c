"""The jobs consumer of `workers.profile.placed`: one opening fewer per placement, once."""

from __future__ import annotations

import uuid

from shared.events.envelope import Envelope
from tests.service.conftest import vacancy


def placed(posting_id: str, placement_id: str) -> Envelope:
    return Envelope(type="workers.profile.placed", occurred_at="2026-11-28T03:00:00Z", producer="workers",
                    subject=str(uuid.uuid4()), version=3,
                    data={"status": "placed", "placement": {"id": placement_id, "posting_id": posting_id}})


async def test_a_placement_lowers_the_headcount_once_even_when_delivered_twice(api):
    employer_id = await api.employer()
    headers = api.auth("employer", employer_id=employer_id)
    posting = (await api.client.post("/jobs/postings", json=vacancy(headcount=2), headers=headers)).json()
    consumer = api.unit.consumers[0]
    event = placed(posting["id"], "placement-1")
    await consumer.handle(event)
    await consumer.handle(event)  # a redelivery
    await consumer.handle(placed(posting["id"], "placement-1"))  # the same placement in a new event
    after = (await api.client.get(f"/jobs/postings/{posting['id']}", headers=headers)).json()
    assert (after["headcount"], after["placed"], after["status"]) == (1, 1, "open")
    await consumer.handle(placed(posting["id"], "placement-2"))
    filled = (await api.client.get(f"/jobs/postings/{posting['id']}", headers=headers)).json()
    assert (filled["headcount"], filled["placed"], filled["status"]) == (0, 2, "filled")
    closed = await api.events("jobs.posting.closed")
    assert [e.data["status"] for e in closed] == ["filled"]


async def test_a_placement_for_an_unknown_posting_changes_nothing(api):
    await api.unit.consumers[0].handle(placed(str(uuid.uuid4()), "placement-x"))
    assert await api.events() == []
