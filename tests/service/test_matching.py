"""Matching in the embedded platform: read models from events, recommendations, runs and candidate lists."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from openpyxl import load_workbook

from shared.contracts.notify import MessageEnded
from shared.events.envelope import Envelope
from tests.service.conftest import vacancy, worker

WELDER_ID = "152222199005061115"  # male, born 1990-05-06


@pytest.fixture
async def world(platform_api):
    """Postings in Beijing and in 科右中旗, three workers of 科右中旗."""
    api = platform_api
    admin = api.auth("admin")
    staff = api.auth("station_staff", region="152222")

    async def employer(name: str, region: str) -> dict:
        made = await api.client.post("/jobs/employers", json={"name": name, "region_code": region}, headers=admin)
        return api.auth("employer", employer_id=made.json()["id"]) | {"id": made.json()["id"]}

    beijing, beijing2, local = (await employer("北京安居家政", "110106"), await employer("北京福寿养老", "110105"),
                                await employer("科右中旗扶贫车间", "152222"))

    async def post(owner: dict, **changes) -> str:
        headers = {"Authorization": owner["Authorization"]}
        response = await api.client.post("/jobs/postings", json=vacancy(**changes), headers=headers)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    postings = {
        "housekeeper": await post(beijing, gender="female"),
        "housekeeper2": await post(beijing2, title="住家保姆", wage_min=5200, wage_max=6800),
        "carer": await post(beijing2, title="养老护理员", occupation="养老护理员", region_code="110105"),
        "welder_bj": await post(beijing, title="电焊工", occupation="焊工", gender="male", certificates=["焊工证"],
                                wage_min=8000, wage_max=10000),
        "cleaner_local": await post(local, title="村屯保洁员", occupation="保洁员", region_code="152222105",
                                    wage_min=2300, wage_max=2600, certificates=[], public_welfare=True,
                                    meals=False, lodging=False),
        "sewing_local": await post(local, title="扶贫车间缝纫工", occupation="缝纫工", region_code="152222105",
                                   wage_min=2400, wage_max=3000, certificates=[], workshop=True, meals=False,
                                   lodging=False),
    }

    async def register(**changes) -> str:
        response = await api.client.post("/workers/profiles", json=worker(**changes), headers=staff)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    workers = {
        "zhang": await register(),
        "bao": await register(name="包金山", id_number=WELDER_ID, phone="13900001111", skills=["电焊"],
                              certificates=[], desired_occupations=["焊工"], transfer_intention="near_home",
                              consent={"sms": True, "wechat": False, "share_with_partners": False}),
    }
    await api.settle()
    return {"api": api, "admin": admin, "staff": staff, "postings": postings, "workers": workers,
            "beijing": beijing, "local": local}


async def test_a_worker_gets_at_least_three_fitting_offers_with_reasons(world):
    api, staff = world["api"], world["staff"]
    response = await api.client.get(f"/matching/workers/{world['workers']['zhang']}/recommendations", headers=staff)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["shortfall"] is None and len(body["items"]) >= 3
    offered = {item["posting_id"] for item in body["items"]}
    assert world["postings"]["welder_bj"] not in offered  # men only, and a certificate she lacks
    assert {world["postings"]["housekeeper"], world["postings"]["housekeeper2"]} <= offered
    assert all(item["reasons"] and item["title"] and item["employer"] for item in body["items"])


async def test_too_few_feasible_posts_is_an_explicit_shortfall(world):
    api, staff = world["api"], world["staff"]
    body = (await api.client.get(f"/matching/workers/{world['workers']['bao']}/recommendations",
                                 headers=staff)).json()
    offered = {item["posting_id"] for item in body["items"]}
    assert offered <= {world["postings"]["cleaner_local"], world["postings"]["sewing_local"]}  # near home only
    assert body["shortfall"]["found"] == len(body["items"]) < 3 and body["shortfall"]["reason"]


async def test_only_the_workers_own_staff_and_admin_see_recommendations(world):
    api, zhang = world["api"], world["workers"]["zhang"]
    url = f"/matching/workers/{zhang}/recommendations"
    assert (await api.client.get(url, headers=api.auth("station_staff", region="152221"))).status_code == 404
    assert (await api.client.get(url, headers={"Authorization": world["beijing"]["Authorization"]})).status_code == 403
    assert (await api.client.get(url, headers=world["admin"])).status_code == 200


async def test_a_closed_posting_stops_being_offered(world):
    api, staff = world["api"], world["staff"]
    housekeeper = world["postings"]["housekeeper"]
    closed = await api.client.post(f"/jobs/postings/{housekeeper}/close",
                                   headers={"Authorization": world["beijing"]["Authorization"]})
    assert closed.status_code == 200
    await api.settle()
    body = (await api.client.get(f"/matching/workers/{world['workers']['zhang']}/recommendations",
                                 headers=staff)).json()
    assert housekeeper not in {item["posting_id"] for item in body["items"]}


async def test_a_run_covers_the_area_stores_every_set_and_publishes_it(world):
    api, staff = world["api"], world["staff"]
    started = await api.client.post("/matching/runs", json={"region_code": "152222"}, headers=staff)
    assert started.status_code == 202, started.text
    await api.settle()
    run = (await api.client.get(f"/matching/runs/{started.json()['id']}", headers=staff)).json()
    assert (run["status"], run["workers"], run["covered"], run["shortfalls"]) == ("done", 2, 1, 1)
    assert run["items_done"] == run["items_total"] == 1
    # Nothing has come of the offers yet: who was offered something, and no one further down the funnel.
    assert run["outcomes"]["offered"] >= 1 and (run["outcomes"]["interested"], run["outcomes"]["placed"]) == (0, 0)
    sets = (await api.client.get(f"/matching/workers/{world['workers']['zhang']}/recommendation-sets",
                                 headers=staff)).json()
    assert len(sets) == 1 and len(sets[0]["items"]) >= 3
    issued = await api.events("matching.recommendations.issued")
    assert {e.subject for e in issued} == set(world["workers"].values())
    assert all(e.data["run_id"] == run["id"] for e in issued)
    [shortfall] = await api.events("matching.shortfall.detected")
    assert shortfall.subject == world["workers"]["bao"]
    outside = await api.client.post("/matching/runs", json={"region_code": "152221"}, headers=staff)
    assert outside.status_code == 403


async def test_candidates_are_masked_consenting_and_only_for_the_owner(world):
    api = world["api"]
    housekeeper = world["postings"]["housekeeper"]
    owner = {"Authorization": world["beijing"]["Authorization"]}
    body = (await api.client.get(f"/matching/postings/{housekeeper}/candidates", headers=owner)).json()
    ids = [c["worker_id"] for c in body["candidates"]]
    assert ids == [world["workers"]["zhang"]]  # 包金山 did not consent to sharing (and is a man)
    assert "name" not in body["candidates"][0] and "phone" not in body["candidates"][0]
    assert "张秀英" not in str(body) and "1339464" not in str(body)
    other = {"Authorization": world["local"]["Authorization"]}
    assert (await api.client.get(f"/matching/postings/{housekeeper}/candidates", headers=other)).status_code == 404
    xlsx = await api.client.get(f"/matching/postings/{housekeeper}/candidates?format=xlsx", headers=owner)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A2"].value == "岗位名称" and sheet["E3"].value == world["workers"]["zhang"]


async def test_a_supply_list_demand_list_for_its_office(world):
    api = world["api"]
    office = api.auth("partner_office", office_id="bj-fengtai-hrss")
    created = await api.client.post("/jobs/supply-lists", headers=office, json={
        "title": "丰台区岗位供给清单", "source_region_code": "110106", "period_start": "2027-01-01",
        "period_end": "2027-06-30"})
    list_id = created.json()["id"]
    text = ("employer_name,title,occupation,region_code,wage_min,wage_max,headcount,valid_until\n"
            "北京丰泰家政,家政服务员,家政服务员,110106,5000,6500,2,2027-05-01\n")
    files = {"file": ("list.csv", text.encode(), "text/csv")}
    report = await api.client.post(f"/jobs/supply-lists/{list_id}/postings/import", files=files, headers=office)
    assert report.json()["imported"] == 1
    await api.settle()
    demand = (await api.client.get(f"/matching/supply-lists/{list_id}/candidates", headers=office)).json()
    [section] = demand["postings"]
    assert [c["worker_id"] for c in section["candidates"]] == [world["workers"]["zhang"]]
    stranger = api.auth("partner_office", office_id="bj-fangshan-hrss")
    refused = await api.client.get(f"/matching/supply-lists/{list_id}/candidates", headers=stranger)
    assert refused.status_code == 404


async def test_read_models_ignore_replayed_and_older_events(world):
    from services.matching.readmodels.models import PostingRecord

    api = world["api"]
    unit = api.unit_of("matching")
    consumer = next(c for c in unit.consumers if c.name == "matching")
    housekeeper = world["postings"]["housekeeper"]
    async with unit.database.sessions() as session:
        current = await session.get(PostingRecord, housekeeper)
    newer = Envelope(type="jobs.posting.updated", occurred_at="2026-11-28T03:00:00Z", producer="jobs",
                     subject=housekeeper, version=current.version + 5,
                     data=current.snapshot | {"headcount": 9, "version": current.version + 5})
    older = Envelope(type="jobs.posting.closed", occurred_at="2026-11-28T02:30:00Z", producer="jobs",
                     subject=housekeeper, version=current.version + 2,
                     data=current.snapshot | {"status": "closed", "version": current.version + 2})
    for event in (newer, older, newer):
        await consumer.handle(event)
    async with unit.database.sessions() as session:
        record = await session.get(PostingRecord, housekeeper)
    assert (record.version, record.status, record.snapshot["headcount"]) == (current.version + 5, "open", 9)


async def test_a_placed_worker_is_offered_nothing(world):
    api, staff = world["api"], world["staff"]
    zhang = world["workers"]["zhang"]
    placed = await api.client.post(f"/workers/profiles/{zhang}/placements", headers=staff, json={
        "posting_id": world["postings"]["housekeeper"], "start_date": "2026-12-01", "monthly_wage": 5600,
        "contract_months": 12, "work_region_code": "110106", "organised_export": True})
    assert placed.status_code == 201, placed.text
    await api.settle()
    body = (await api.client.get(f"/matching/workers/{zhang}/recommendations", headers=staff)).json()
    assert body["items"] == [] and body["shortfall"] is not None
    unused = str(uuid.uuid4())
    assert (await api.client.get(f"/matching/workers/{unused}/recommendations", headers=staff)).status_code == 404


async def test_staff_issue_one_workers_offers_for_pushing(world):
    api, staff = world["api"], world["staff"]
    zhang = world["workers"]["zhang"]
    issued = await api.client.post(f"/matching/workers/{zhang}/recommendations", headers=staff)
    assert issued.status_code == 201 and issued.json()["set_id"]
    [event] = await api.events("matching.recommendations.issued")
    assert event.subject == zhang and event.data["set_id"] == issued.json()["set_id"]
    assert event.data["home_region_code"] == "152222105" and event.data["run_id"] is None
    assert len(event.data["items"]) >= 3 and all(i["reasons"] for i in event.data["items"])
    wire = event.to_json().decode()
    assert "张秀英" not in wire and "13394641177" not in wire


async def test_a_run_issues_the_next_version_after_a_workers_earlier_set(world):
    """A run issues every set at once; a worker who already had one gets the next version, so notify tells the newer
    set from a replay of the older."""
    api, staff = world["api"], world["staff"]
    zhang = world["workers"]["zhang"]
    single = (await api.client.post(f"/matching/workers/{zhang}/recommendations", headers=staff)).json()
    run_id = (await api.client.post("/matching/runs", json={"region_code": "152222"}, headers=staff)).json()["id"]
    await api.settle()
    issued = [e for e in await api.events("matching.recommendations.issued") if e.subject == zhang]
    assert [(e.version, e.data["run_id"]) for e in issued] == [(1, None), (2, run_id)]
    sets = (await api.client.get(f"/matching/workers/{zhang}/recommendation-sets", headers=staff)).json()
    assert [s["set_id"] for s in sets] == [issued[1].data["set_id"], single["set_id"]]
    others = [e for e in await api.events("matching.recommendations.issued") if e.subject != zhang]
    assert [e.version for e in others] == [1]


async def run_of_the_county(world) -> tuple[str, dict[str, str], Any]:
    """A run for 科右中旗, settled: its id, each worker's set, and matching's consumer of notify's events."""
    api, staff = world["api"], world["staff"]
    run_id = (await api.client.post("/matching/runs", json={"region_code": "152222"}, headers=staff)).json()["id"]
    await api.settle()
    issued = {e.subject: e.data["set_id"] for e in await api.events("matching.recommendations.issued")}
    return run_id, issued, next(c for c in api.unit_of("matching").consumers if c.name == "matching")


async def test_a_run_reports_what_notify_said_of_its_messages(world):
    api, staff = world["api"], world["staff"]
    run_id, issued, consumer = await run_of_the_county(world)
    message_id, zhang = str(uuid.uuid4()), world["workers"]["zhang"]
    delivered = MessageEnded(message_id=message_id, worker_id=zhang, set_id=issued[zhang], status="delivered")
    outcome = Envelope(type="notify.message.delivered", occurred_at="2026-11-28T04:00:00Z", producer="notify",
                       subject=message_id, version=3, data=delivered.data())
    await consumer.handle(outcome)
    await consumer.handle(outcome)
    run = (await api.client.get(f"/matching/runs/{run_id}", headers=staff)).json()
    assert run["messages"] == {"delivered": 1, "pending": 1}


async def test_outcomes_of_a_runs_messages_taken_in_together_keep_a_delivery_once_made(world):
    api, staff = world["api"], world["staff"]
    run_id, issued, consumer = await run_of_the_county(world)
    zhang, bao = world["workers"]["zhang"], world["workers"]["bao"]

    def ended(worker_id: str, set_id: str, status: str) -> Envelope:
        message_id = str(uuid.uuid4())
        data = MessageEnded(message_id=message_id, worker_id=worker_id, set_id=set_id, status=status,
                            reason=None if status == "delivered" else "号码停机")
        return Envelope(type=f"notify.message.{status}", occurred_at="2026-11-28T04:00:00Z", producer="notify",
                        subject=message_id, version=3, data=data.data())

    batch = [ended(zhang, issued[zhang], "delivered"), ended(zhang, issued[zhang], "failed"),
             ended(bao, issued[bao], "failed"), ended(bao, str(uuid.uuid4()), "delivered")]
    await consumer.handle_batch(batch)
    await consumer.handle_batch(batch)  # redelivered: nothing changes
    run = (await api.client.get(f"/matching/runs/{run_id}", headers=staff)).json()
    assert run["messages"] == {"delivered": 1, "failed": 1}
    assert run["outcomes"]["delivered"] == 1
