"""Staff teach the vocabulary: what nothing reads is listed, an admin maps a phrase, offers follow without a restart."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.service.conftest import vacancy, worker

PHRASE = "踩机器做衣裳"  # how a seamstress might say it; no lexicon word is in it


@pytest.fixture
async def world(platform_api):
    api = platform_api
    admin = api.auth("admin")
    staff = api.auth("station_staff", region="152222")
    made = await api.client.post("/jobs/employers", json={"name": "科右中旗服装厂", "region_code": "152222"},
                                 headers=admin)
    owner = api.auth("employer", employer_id=made.json()["id"])
    for title in ("缝纫工", "缝纫工（计件）", "服装缝纫工"):
        response = await api.client.post("/jobs/postings", headers=owner, json=vacancy(
            title=title, occupation="缝纫工", description="", skills=[], region_code="152222105", wage_min=2500,
            wage_max=3200, certificates=[], meals=False, lodging=False, gender=None))
        assert response.status_code == 201, response.text
    for title in ("保洁员", "保洁员（长期）", "餐厅服务员"):
        response = await api.client.post("/jobs/postings", headers=owner, json=vacancy(
            title=title, occupation=title.replace("（长期）", ""), description="", skills=[], region_code="152222105", wage_min=2500,
            wage_max=3200, certificates=[], meals=False, lodging=False, gender=None))
        assert response.status_code == 201, response.text
    ids = []
    for n, id_number in enumerate(("152222198311036001", "152222198507126025")):
        response = await api.client.post("/workers/profiles", headers=staff, json=worker(
            id_number=id_number, phone=f"1339464117{n}", skills=[], desired_occupations=[PHRASE],
            transfer_intention="near_home", certificates=[]))
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    await api.settle()
    return {"api": api, "admin": admin, "staff": staff, "workers": ids}


async def test_an_unread_phrase_is_listed_taught_and_then_fits(world):
    api, admin, staff = world["api"], world["admin"], world["staff"]
    listed = (await api.client.get("/matching/vocabulary/unmapped", headers=staff)).json()
    assert {"phrase": PHRASE, "workers": 2, "as_desired": 2, "as_skill": 0} in listed
    before = (await api.client.get(f"/matching/workers/{world['workers'][0]}/recommendations", headers=staff)).json()
    # Unread, it still lands near its trade: the sewing posts, said as near posts of the wish, not as the trade.
    assert all("缝纫" in item["title"] for item in before["items"][:3])
    assert all(item["reasons"][0] == f"想做：{PHRASE}（相近岗位）" for item in before["items"][:3])
    unread = await api.client.get("/matching/vocabulary/reading", params={"text": PHRASE}, headers=staff)
    assert unread.status_code == 200 and unread.json() == {"phrase": PHRASE, "read": False, "job": None,
                                                           "occupation_code": None, "occupation_name": None,
                                                           "via": None, "score": None}

    taught = await api.client.put(f"/matching/vocabulary/{quote(PHRASE)}", json={"occupation_code": "6-05-01-03"},
                                  headers=admin)
    assert taught.status_code == 200, taught.text
    assert taught.json()["job"] == "缝纫工" and taught.json()["small_group"] == "6-05-01"

    # No restart: the next request reads the phrase as its trade.
    after = (await api.client.get(f"/matching/workers/{world['workers'][0]}/recommendations", headers=staff)).json()
    assert [item["fit"] for item in after["items"][:3]] == ["desired"] * 3
    assert all("缝纫" in item["title"] for item in after["items"][:3])
    assert after["items"][0]["reasons"][0] == f"想做：{PHRASE}"
    reading = (await api.client.get("/matching/vocabulary/reading", params={"text": PHRASE}, headers=staff)).json()
    assert (reading["read"], reading["occupation_code"], reading["via"]) == (True, "6-05-01", "taught")
    assert PHRASE not in [row["phrase"] for row in
                          (await api.client.get("/matching/vocabulary/unmapped", headers=staff)).json()]

    # Audited: who changed what, and removing it is audited too.
    assert (await api.client.delete(f"/matching/vocabulary/{quote(PHRASE)}", headers=admin)).status_code == 204
    changes = (await api.client.get("/matching/vocabulary/changes", headers=admin)).json()
    assert [(c["phrase"], c["before"], c["after"]) for c in changes] == [(PHRASE, "6-05-01-03", None),
                                                                         (PHRASE, None, "6-05-01-03")]
    assert all(c["by"] for c in changes)


async def test_only_admin_teaches_and_codes_are_checked(world):
    api, admin, staff = world["api"], world["admin"], world["staff"]
    path = f"/matching/vocabulary/{quote(PHRASE)}"
    assert (await api.client.put(path, json={"occupation_code": "6-05-01"}, headers=staff)).status_code == 403
    unknown = await api.client.put(path, json={"occupation_code": "9-99-99"}, headers=admin)
    assert unknown.status_code == 422 and "9-99-99" in unknown.text
    assert (await api.client.put(path, json={"occupation_code": "六"}, headers=admin)).status_code == 422
    assert (await api.client.put("/matching/vocabulary/%20", json={"occupation_code": "6-05-01"},
                                 headers=admin)).status_code == 422
    assert (await api.client.delete("/matching/vocabulary/没教过", headers=admin)).status_code == 404


async def test_staff_see_only_their_own_areas_phrases(world):
    api = world["api"]
    other = api.auth("station_staff", region="152201")
    assert (await api.client.get("/matching/vocabulary/unmapped", headers=other)).json() == []
