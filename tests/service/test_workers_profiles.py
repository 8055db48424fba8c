"""Worker profiles: validation, personal data protection, scope, audit, placements."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.service.conftest import worker

STAFF = {"role": "station_staff", "region": "152222"}
OTHER_ID = "152222199005061115"  # valid, male, born 1990-05-06


@pytest.fixture
def staff(workers_api):
    return workers_api.auth(**STAFF, sub="staff-zhang")


async def register(api, headers, **changes):
    return await api.client.post("/workers/profiles", json=worker(**changes), headers=headers)


async def test_staff_register_a_worker_and_see_the_numbers_in_clear(workers_api, staff):
    response = await register(workers_api, staff)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["id_number"], body["phone"], body["personal_data"]) == ("152222198311036001", "13394641177", "clear")
    assert (body["birth_date"], body["gender"], body["age"]) == ("1983-11-03", "female", 43)
    assert body["status"] == "seeking" and body["consent"]["share_with_partners"] is True
    [event] = await workers_api.events("workers.profile.registered")
    assert event.subject == body["id"] and event.data["age"] == 43 and event.data["home_region_code"] == "152222105"


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"id_number": "152222198311036002"}, "id_number", "check digit"),
    ({"id_number": "15222219831103600"}, "id_number", "18 characters"),
    ({"id_number": "152222198302306006"}, "id_number", "does not exist"),
    ({"id_number": "152222201101020313"}, "id_number", "minimum working age is 16"),
    ({"phone": "12345678901"}, "phone", "mainland mobile"),
    ({"phone": "1339464117"}, "phone", ""),
    ({"home_region_code": "152299"}, "home_region_code", "not a county or township"),
    ({"home_region_code": "110106"}, "home_region_code", "not a county or township"),
    ({"transfer_intention": "mars"}, "transfer_intention", ""),
    ({"labor_capacity": "superhuman"}, "labor_capacity", ""),
    ({"education": "phd"}, "education", ""),
    ({"expected_wage": 0}, "expected_wage", ""),
    ({"name": ""}, "name", ""),
])
async def test_each_rule_is_answered_with_a_clear_422(workers_api, staff, changes, field, words):
    response = await register(workers_api, staff, **changes)
    assert response.status_code == 422, response.text
    problems = response.json()["detail"]
    assert any(field in map(str, p["loc"]) and words in p["msg"] for p in problems), problems
    assert await workers_api.events() == []


async def test_the_same_id_number_twice_is_a_conflict_naming_the_profile(workers_api, staff):
    first = (await register(workers_api, staff)).json()
    again = await register(workers_api, staff, id_number="152222198311036001 ", phone="13900001111")
    assert again.status_code == 409 and first["id"] in again.json()["detail"]


async def test_staff_act_only_inside_their_region(workers_api, staff):
    profile = (await register(workers_api, staff)).json()
    neighbour = workers_api.auth("station_staff", region="152221")
    outside = await register(workers_api, neighbour, id_number=OTHER_ID)
    assert outside.status_code == 403
    url = f"/workers/profiles/{profile['id']}"
    for response in (await workers_api.client.get(url, headers=neighbour),
                     await workers_api.client.patch(url, json={"expected_wage": 9000}, headers=neighbour),
                     await workers_api.client.post(f"{url}/placements", headers=neighbour, json={
                         "posting_id": "p", "start_date": "2026-12-01", "monthly_wage": 5000,
                         "contract_months": 12, "work_region_code": "110106"})):
        assert response.status_code in (403, 404) and "张秀英" not in response.text
    listing = (await workers_api.client.get("/workers/profiles", headers=neighbour)).json()
    assert listing["total"] == 0


@pytest.mark.parametrize("role", [{"role": "employer", "employer_id": "e1"},
                                  {"role": "partner_office", "office_id": "bj-fengtai-hrss"}])
async def test_employers_and_partner_offices_cannot_reach_profiles(workers_api, staff, role):
    profile = (await register(workers_api, staff)).json()
    headers = workers_api.auth(**role)
    for response in (await workers_api.client.get(f"/workers/profiles/{profile['id']}", headers=headers),
                     await workers_api.client.get("/workers/profiles", headers=headers)):
        assert response.status_code == 403 and "1339464" not in response.text


async def test_lists_are_masked_and_searchable_by_the_last_four_digits(workers_api, staff):
    await register(workers_api, staff)
    await register(workers_api, staff, name="包金山", id_number=OTHER_ID, phone="13900001111",
                   transfer_intention="near_home")
    by_last4 = (await workers_api.client.get("/workers/profiles?id_last4=6001", headers=staff)).json()
    [item] = by_last4["items"]
    assert (item["id_number"], item["phone"], item["name"]) == ("152222********6001", "133****1177", "张*英")
    assert item["personal_data"] == "masked" and item["birth_date"] is None
    assert (await workers_api.client.get("/workers/profiles?name=金山", headers=staff)).json()["total"] == 1
    near = (await workers_api.client.get("/workers/profiles?transfer_intention=near_home", headers=staff)).json()
    assert [i["name"] for i in near["items"]] == ["包*山"]


async def test_every_clear_read_is_audited_and_admin_can_query_it(workers_api, staff):
    profile = (await register(workers_api, staff)).json()
    await workers_api.client.get(f"/workers/profiles/{profile['id']}", headers=staff)
    await workers_api.client.get("/workers/profiles", headers=staff)  # masked: not a read of personal data
    admin = workers_api.auth("admin", sub="admin-li")
    log = (await workers_api.client.get(f"/workers/audit/personal-data-reads?worker_id={profile['id']}",
                                        headers=admin)).json()
    assert [(r["actor"], r["action"]) for r in log["items"]] == [("staff-zhang", "read profile"),
                                                                 ("staff-zhang", "register")]
    assert log["items"][0]["fields"] == ["id_number", "phone"]
    assert (await workers_api.client.get("/workers/audit/personal-data-reads", headers=staff)).status_code == 403


async def test_numbers_are_sealed_at_rest(workers_api, staff):
    await register(workers_api, staff, wechat_openid="oia2TjuEGTNoeX76QEjQNrcURxG8")
    async with workers_api.unit.database.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT * FROM worker_profiles"))).all()
        outbox = (await connection.execute(text("SELECT body FROM outbox"))).scalars().all()
    dump = repr(rows) + repr(outbox)
    for secret in ("152222198311036001", "13394641177", "oia2TjuEGTNoeX76QEjQNrcURxG8", "198311036"):
        assert secret not in dump
    assert "1983-11-03" not in repr(outbox) and "张秀英" not in repr(outbox)


async def test_a_change_re_derives_identity_and_publishes_an_update(workers_api, staff):
    profile = (await register(workers_api, staff)).json()
    url = f"/workers/profiles/{profile['id']}"
    changed = await workers_api.client.patch(url, json={"id_number": OTHER_ID, "skills": "电焊、开大车",
                                                        "consent": {"sms": True, "wechat": True}}, headers=staff)
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["gender"], body["birth_date"], body["skills"]) == ("male", "1990-05-06", ["电焊", "开大车"])
    assert body["consent"] == {"sms": True, "wechat": True, "share_with_partners": False}
    [event] = await workers_api.events("workers.profile.updated")
    assert event.version == 2 and event.data["skills"] == ["电焊", "开大车"]
    refused = await workers_api.client.patch(url, json={"transfer_intention": None}, headers=staff)
    assert refused.status_code == 422


async def test_a_placement_marks_the_worker_placed_and_tells_jobs(workers_api, staff):
    profile = (await register(workers_api, staff)).json()
    url = f"/workers/profiles/{profile['id']}/placements"
    workers_api.openings.post("posting-1", region_code="110106", headcount=2)
    body = {"posting_id": "posting-1", "start_date": "2026-12-01", "monthly_wage": 5500, "contract_months": 12,
            "work_region_code": "110106", "organised_export": True}
    placed = await workers_api.client.post(url, json=body, headers=staff)
    assert placed.status_code == 201, placed.text
    assert placed.json()["subsidy_eligible"] is True
    assert placed.json()["subsidy_rule"] == "export_outside_home_county"
    assert placed.json()["subsidy_reason"].startswith("有组织劳务输出")
    assert (await workers_api.client.post(url, json=body, headers=staff)).status_code == 409
    assert workers_api.openings.postings["posting-1"].headcount == 1  # the refused second one holds none
    [event] = await workers_api.events("workers.profile.placed")
    assert event.data["status"] == "placed" and event.data["placement"]["posting_id"] == "posting-1"
    assert event.data["placement"]["id"] == placed.json()["id"]
    read = (await workers_api.client.get(f"/workers/profiles/{profile['id']}", headers=staff)).json()
    assert read["status"] == "placed"
    ended = await workers_api.client.post(f"{url}/{placed.json()['id']}/end", json={"ended_on": "2027-06-01"},
                                          headers=staff)
    assert ended.status_code == 200
    again = (await workers_api.client.get(f"/workers/profiles/{profile['id']}", headers=staff)).json()
    assert again["status"] == "seeking"


async def test_local_work_or_unorganised_moves_earn_no_subsidy(workers_api, staff):
    profile = (await register(workers_api, staff)).json()
    url = f"/workers/profiles/{profile['id']}/placements"
    workers_api.openings.post("p-local", region_code="152222")
    local = await workers_api.client.post(url, headers=staff, json={
        "posting_id": "p-local", "start_date": "2026-12-01", "monthly_wage": 3000, "contract_months": 6,
        "work_region_code": "152222101", "organised_export": True})
    assert local.json()["subsidy_eligible"] is False
    assert local.json()["subsidy_reason"] == "在户籍所在旗县内就业，不享受一次性求职创业补贴"


async def test_notify_reads_contact_channels_with_a_service_token_only(workers_api, staff):
    profile = (await register(workers_api, staff, wechat_openid="oia2TjuEGTNoeX76QEjQNrcURxG8",
                              consent={"sms": True, "wechat": True})).json()
    url = f"/workers/internal/profiles/{profile['id']}/contact"
    assert (await workers_api.client.get(url, headers=staff)).status_code == 403
    service = workers_api.auth("service", sub="notify")
    contact = (await workers_api.client.get(url, headers=service)).json()
    assert contact["phone"] == "13394641177" and contact["wechat_openid"] == "oia2TjuEGTNoeX76QEjQNrcURxG8"
    assert contact["consent"]["wechat"] is True
    log = (await workers_api.client.get("/workers/audit/personal-data-reads?actor=notify",
                                        headers=workers_api.auth("admin"))).json()
    assert log["items"][0]["fields"] == ["phone", "wechat_openid"]


async def test_notify_reads_several_workers_channels_in_one_call_each_read_audited(workers_api, staff):
    first = (await register(workers_api, staff)).json()
    second = (await register(workers_api, staff, id_number=OTHER_ID, phone="13904821234",
                             consent={"sms": False, "wechat": False})).json()
    service = workers_api.auth("service", sub="notify")
    asked = {"worker_ids": [second["id"], "no-such-worker", first["id"]]}
    assert (await workers_api.client.post("/workers/internal/contacts", json=asked, headers=staff)).status_code == 403
    response = await workers_api.client.post("/workers/internal/contacts", json=asked, headers=service)
    assert response.status_code == 200, response.text
    contacts = response.json()["contacts"]
    assert [(c["worker_id"], c["phone"], c["consent"]["sms"]) for c in contacts] == [
        (second["id"], "13904821234", False), (first["id"], "13394641177", True)]
    log = (await workers_api.client.get("/workers/audit/personal-data-reads?actor=notify",
                                        headers=workers_api.auth("admin"))).json()
    assert sorted(item["worker_id"] for item in log["items"]) == sorted([first["id"], second["id"]])
    too_many = {"worker_ids": [f"w{n}" for n in range(201)]}
    refused = await workers_api.client.post("/workers/internal/contacts", json=too_many, headers=service)
    assert refused.status_code == 422
