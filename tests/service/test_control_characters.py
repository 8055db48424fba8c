"""Text no person types (control characters, half a UTF-16 pair) is refused at the API with a 422 naming the field."""

from __future__ import annotations

import json

import pytest

from tests.service.conftest import vacancy, worker


@pytest.fixture
async def employer(api):
    employer_id = await api.employer()
    return api.auth("employer", employer_id=employer_id)


def raw(body: dict) -> bytes:
    """JSON as a hostile client writes it: "\\ud800" stays an escape, which Python's own encoder cannot produce."""
    return json.dumps(body, ensure_ascii=True).encode()


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "家政服务员\u0000"}, "title"),
    ({"title": "家政\u001b[31m服务员"}, "title"),
    ({"title": "家政\u0085服务员"}, "title"),
    ({"address": "丰台区\u0007"}, "address"),
    ({"skills": ["做饭", "保洁\u0001"]}, "skills"),
    ({"description": "照顾老人\u000b起居"}, "description"),
])
async def test_a_posting_with_a_control_character_is_refused(api, employer, changes, field):
    response = await api.client.post("/jobs/postings", json=vacancy(**changes), headers=employer)

    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"][1] == field and problem["type"] == "control_character"
    assert await api.events() == []


async def test_a_lone_surrogate_is_refused_not_a_500(api, employer):
    body = raw(vacancy(title="SURROGATE")).replace(b"SURROGATE", b"\\ud800\\u5bb6\\u653f")

    response = await api.client.post("/jobs/postings", content=body, headers={**employer,
                                                                               "Content-Type": "application/json"})

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "broken_text"  # refused as the body is read, before any field


async def test_tabs_and_line_breaks_stay_allowed_in_a_description(api, employer):
    response = await api.client.post("/jobs/postings", json=vacancy(description="照顾老人\r\n做饭\t打扫"),
                                     headers=employer)

    assert response.status_code == 201, response.text
    assert response.json()["description"] == "照顾老人\n做饭\t打扫"


async def test_a_patch_with_a_control_character_is_refused(api, employer):
    created = await api.client.post("/jobs/postings", json=vacancy(), headers=employer)

    response = await api.client.patch(f"/jobs/postings/{created.json()['id']}", json={"title": "新\u0000标题"},
                                      headers=employer)

    assert response.status_code == 422


@pytest.mark.parametrize("changes", [{"name": "张秀英\u0000"}, {"skills": "保洁、做饭\u0001"},
                                     {"desired_occupations": ["家政\u200b服务员\u001f"]}])
async def test_a_worker_with_a_control_character_is_refused(workers_api, changes):
    staff = workers_api.auth("station_staff", region="152222")

    response = await workers_api.client.post("/workers/profiles", json=worker(**changes), headers=staff)

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["type"] == "control_character"
