"""A batch run says why a worker gets fewer than three offers in the same words as that worker's recommendations."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from services.matching.events import RUN_ITEM_REQUESTED
from services.matching.runs.models import Run, RunCandidates
from services.workers.profiles.idcard import make_id_number
from shared.events.envelope import Envelope
from tests.service.conftest import vacancy, worker

FAR_TOWNSHIP = "152222101"  # 巴仁哲里木镇, about 130 km from 好腰苏木镇 where the local posts are


@pytest.fixture
async def world(platform_api):
    """Three welding posts in Beijing that ask for a 焊工证, one housekeeping post there for women, two local posts in
    好腰苏木镇; a housekeeper who gets three offers and two welders who cannot."""
    api = platform_api
    admin = api.auth("admin")
    staff = api.auth("station_staff", region="152222")

    async def employer(name: str, region: str) -> dict:
        made = await api.client.post("/jobs/employers", json={"name": name, "region_code": region}, headers=admin)
        return {"Authorization": api.auth("employer", employer_id=made.json()["id"])["Authorization"]}

    beijing, local = await employer("北京城建焊接", "110106"), await employer("科右中旗扶贫车间", "152222")

    async def post(owner: dict, **changes) -> str:
        response = await api.client.post("/jobs/postings", json=vacancy(**changes), headers=owner)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    postings = {f"weld{n}": await post(beijing, title=f"电焊工{n}号", occupation="焊工", skills=["电焊"],
                                       certificates=["焊工证"], wage_min=8000, wage_max=10000) for n in range(3)}
    postings["housekeeper"] = await post(beijing, gender="female")
    postings["cleaner_local"] = await post(local, title="村屯保洁员", occupation="保洁员", region_code="152222105",
                                           wage_min=2300, wage_max=2600, certificates=[], skills=[],
                                           public_welfare=True, meals=False, lodging=False)
    postings["sewing_local"] = await post(local, title="扶贫车间缝纫工", occupation="缝纫工", region_code="152222105",
                                          wage_min=2400, wage_max=3000, certificates=[], skills=[], workshop=True,
                                          meals=False, lodging=False)

    async def register(n: int, **changes) -> str:
        id_number = make_id_number("152222", date(1988, 3, 1 + n), n, "male")
        response = await api.client.post("/workers/profiles", headers=staff, json=worker(
            name=f"焊工{n}", id_number=id_number, phone=f"1390000{n:04d}", skills=["电焊"],
            desired_occupations=["焊工"], **changes))
        assert response.status_code == 201, response.text
        return response.json()["id"]

    zhang = await api.client.post("/workers/profiles", json=worker(), headers=staff)
    assert zhang.status_code == 201, zhang.text
    workers = {
        "zhang": zhang.json()["id"],
        # Anywhere, but without a 焊工证: the certificate keeps all three welding posts out, two others are left.
        "uncertified": await register(1, certificates=["健康证"]),
        # Certified, but near home only, in a township with no posts within 30 km.
        "far": await register(2, certificates=["焊工证"], home_region_code=FAR_TOWNSHIP,
                              transfer_intention="near_home"),
    }
    await api.settle()
    return {"api": api, "staff": staff, "local": local, "postings": postings, "workers": workers}


async def recommended_shortfall(world, worker_id: str) -> dict | None:
    response = await world["api"].client.get(f"/matching/workers/{worker_id}/recommendations",
                                             headers=world["staff"])
    assert response.status_code == 200, response.text
    return response.json()["shortfall"]


async def test_a_run_reports_the_reason_one_workers_recommendations_give(world):
    api, staff, workers = world["api"], world["staff"], world["workers"]
    expected = {name: await recommended_shortfall(world, workers[name]) for name in ("uncertified", "far")}
    assert expected["uncertified"] == {"found": 2, "reason": "符合条件的岗位仅有2个；另有3个对口岗位要求焊工证"}
    assert expected["far"] == {"found": 0, "reason": "30公里内符合条件的岗位暂无；另有3个对口岗位超出外出范围"}
    assert await recommended_shortfall(world, workers["zhang"]) is None

    started = await api.client.post("/matching/runs", json={"region_code": "152222"}, headers=staff)
    assert started.status_code == 202, started.text
    await api.settle()
    run = (await api.client.get(f"/matching/runs/{started.json()['id']}", headers=staff)).json()
    assert (run["status"], run["workers"], run["covered"], run["shortfalls"]) == ("done", 3, 1, 2)
    assert run["summary"]["shortfall_reasons"] == {expected["uncertified"]["reason"]: 1, expected["far"]["reason"]: 1}
    detected = {e.subject: e.data for e in await api.events("matching.shortfall.detected")}
    assert set(detected) == {workers["uncertified"], workers["far"]}
    for name in ("uncertified", "far"):
        data = detected[workers[name]]
        assert (data["found"], data["reason"], data["run_id"]) == (*expected[name].values(), run["id"])
        [issued] = (await api.client.get(f"/matching/workers/{workers[name]}/recommendation-sets",
                                         headers=staff)).json()
        assert issued["shortfall"] == expected[name] and len(issued["items"]) == expected[name]["found"]


async def test_a_post_closed_between_ranking_and_allocation_is_not_counted_in_the_reason(world):
    """The item ranks while a second item keeps the run open; a local post closes; then the run finishes."""
    api, workers = world["api"], world["workers"]
    unit = api.unit_of("matching")
    consumer = next(c for c in unit.consumers if c.name == "matching-runs")
    run_id = str(uuid.uuid4())
    async with unit.database.transaction() as session:
        session.add(Run(id=run_id, region_code="152222", status="queued", requested_by="test", items_total=2,
                        items_done=0, workers=2, covered=0, shortfalls=0, summary={},
                        created_at=api.clock.now(), finished_at=None))

    async def rank(key: str, number: int) -> None:
        await consumer.handle(Envelope(type=RUN_ITEM_REQUESTED, occurred_at="2026-11-28T02:00:00Z",
                                       producer="matching", subject=run_id, version=number,
                                       data={"run_id": run_id, "key": key, "level": "township",
                                             "region_code": "152222"}))

    await rank("152222105", 1)  # zhang and the uncertified welder
    async with unit.database.sessions() as session:
        row = await session.scalar(select(RunCandidates).where(RunCandidates.run_id == run_id,
                                                               RunCandidates.worker_id == workers["uncertified"]))
    assert row.shortfall == await recommended_shortfall(world, workers["uncertified"])
    assert row.shortfall["found"] == 2

    closed = await api.client.post(f"/jobs/postings/{world['postings']['sewing_local']}/close", headers=world["local"])
    assert closed.status_code == 200, closed.text
    await api.settle()
    await rank("152222199", 2)  # no one lives there; the last item asks for the allocation
    await api.settle()

    # Both lists lost the sewing post: the welder's reason is said again for what is left, and the housekeeper, who
    # had three, is short now too, in the words her recommendations give.
    now = {name: await recommended_shortfall(world, workers[name]) for name in ("uncertified", "zhang")}
    assert now == {"uncertified": {"found": 1, "reason": "符合条件的岗位仅有1个；另有3个对口岗位要求焊工证"},
                   "zhang": {"found": 2, "reason": "符合条件的岗位仅有2个"}}
    run = (await api.client.get(f"/matching/runs/{run_id}", headers=world["staff"])).json()
    assert run["status"] == "done"
    assert run["summary"]["shortfall_reasons"] == {now["uncertified"]["reason"]: 1, now["zhang"]["reason"]: 1}
    detected = {e.subject: e.data for e in await api.events("matching.shortfall.detected")}
    assert {who: {"found": detected[workers[who]]["found"], "reason": detected[workers[who]]["reason"]}
            for who in now} == now
