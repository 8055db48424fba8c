"""`GET /notify/messages`: per worker and per run, for the worker's station staff and admin only."""

from __future__ import annotations

import pytest

from tests.service.notify_fixtures import fakes, notify, notify_changes, notify_contacts  # noqa: F401 - fakes, notify, notify_*: fixtures

CONTRACT_FIELDS = {"id", "worker_id", "run_id", "channel", "status", "attempts", "text"}


async def listed(notify, headers: dict, **query: str):
    return await notify.client.get("/notify/messages", params=query, headers=headers)


@pytest.fixture
async def two_counties(notify):
    """A run that reached a worker of 科右中旗 (152222) and one of 科右前旗 (152221)."""
    middle, _ = await notify.register(home="152222105")
    front, _ = await notify.register(home="152221100")
    await notify.issue(middle, run_id="run-1", region="152222105")
    await notify.issue(front, run_id="run-1", region="152221100")
    await notify.settle()
    return middle, front


async def test_admin_lists_a_run_and_a_worker_with_the_contract_fields(notify, two_counties):
    middle, front = two_counties
    run = (await listed(notify, notify.auth(), run_id="run-1")).json()
    assert run["total"] == 2 and {m["worker_id"] for m in run["items"]} == {middle, front}
    assert all(CONTRACT_FIELDS <= m.keys() for m in run["items"])
    assert {(m["channel"], m["status"], m["attempts"]) for m in run["items"]} == {("sms", "sent", 1)}
    one = (await listed(notify, notify.auth(), worker_id=front)).json()["items"]
    assert [m["worker_id"] for m in one] == [front] and one[0]["text"].startswith("【兴安就业】")
    sent = (await listed(notify, notify.auth(), run_id="run-1", status="sent")).json()
    assert sent["total"] == 2


async def test_station_staff_see_only_the_workers_of_their_region(notify, two_counties):
    middle, front = two_counties
    staff = notify.auth("station_staff", region="152222")
    run = (await listed(notify, staff, run_id="run-1")).json()
    assert [m["worker_id"] for m in run["items"]] == [middle]
    assert (await listed(notify, staff, worker_id=front)).json() == {"items": [], "total": 0, "page": 1,
                                                                       "page_size": 100}
    other = (await listed(notify, notify.auth(), worker_id=front)).json()["items"][0]
    assert (await notify.client.get(f"/notify/messages/{other['id']}", headers=staff)).status_code == 404
    mine = (await listed(notify, staff, worker_id=middle)).json()["items"][0]
    detail = (await notify.client.get(f"/notify/messages/{mine['id']}", headers=staff)).json()
    assert [a["outcome"] for a in detail["attempt_log"]] == ["sent"]


async def test_a_message_without_the_workers_home_is_for_admin_only(notify):
    worker_id, _ = await notify.register()
    await notify.issue(worker_id, region=None)  # an event from before matching sent home_region_code
    await notify.settle()
    staff = notify.auth("station_staff", region="152222")
    assert (await listed(notify, staff, worker_id=worker_id)).json()["total"] == 0
    assert (await listed(notify, notify.auth(), worker_id=worker_id)).json()["total"] == 1


@pytest.mark.parametrize("role, scope", [("employer", {"employer_id": "e1"}), ("partner_office", {"office_id": "o1"}),
                                         ("service", {})])
async def test_other_roles_may_not_read_messages(notify, role, scope):
    answer = await listed(notify, notify.auth(role, **scope), worker_id="w")
    assert answer.status_code == 403


async def test_a_query_names_a_worker_or_a_run_and_needs_a_token(notify):
    assert (await listed(notify, notify.auth())).status_code == 422
    assert (await notify.client.get("/notify/messages", params={"worker_id": "w"})).status_code == 401
