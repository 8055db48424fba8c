"""Error answers for people: a stable code, a message in Chinese when the browser prefers it, `detail` kept."""

from __future__ import annotations

import pytest

from tests.service.conftest import vacancy, worker

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}


@pytest.fixture
async def employer(api):
    return api.auth("employer", employer_id=await api.employer())


async def test_a_schema_error_in_chinese_names_each_field_with_a_plain_message(api, employer):
    body = vacancy(region_code="abc", headcount=0)
    del body["title"]

    response = await api.client.post("/jobs/postings", json=body, headers={**employer, **ZH})

    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "invalid" and answer["message"].startswith("填写有误")
    by_field = {entry["field"]: entry for entry in answer["detail"]}
    assert by_field["title"]["msg"] == "必须填写" and by_field["title"]["type"] == "missing"
    assert by_field["title"]["loc"] == ["body", "title"]
    assert by_field["region_code"]["msg"] == "格式不对"
    assert by_field["headcount"]["msg"] == "不能小于 1"
    assert all(entry["message"] == entry["msg"] and entry["code"] == entry["type"] for entry in answer["detail"])


async def test_the_same_error_in_english_without_accept_language(api, employer):
    body = vacancy()
    del body["title"]

    answer = (await api.client.post("/jobs/postings", json=body, headers=employer)).json()

    assert answer["code"] == "invalid"
    assert [entry["msg"] for entry in answer["detail"]] == ["Field required"]


async def test_a_domain_rule_broken_speaks_chinese_too(api, employer):
    response = await api.client.post("/jobs/postings", json=vacancy(supply_list_id="x"), headers={**employer, **ZH})

    assert response.status_code == 422
    [entry] = response.json()["detail"]
    assert entry["field"] == "supply_list_id" and entry["msg"] != "" and entry["msg"].isascii() is False


@pytest.mark.parametrize(("method", "path", "headers", "status", "code", "zh"), [
    ("get", "/jobs/postings/nope", "admin", 404, "not_found", "没有找到这个岗位"),
    ("get", "/jobs/postings", None, 401, "unauthorized", "请先登录"),
    ("post", "/jobs/employers", "employer", 403, "forbidden", "无权进行此操作"),
    ("get", "/jobs/no-such-route", None, 404, "not_found", "没有找到"),
])
async def test_every_error_carries_a_code_and_a_chinese_message(api, method, path, headers, status, code, zh):
    auth = api.auth(headers, employer_id="e1") if headers == "employer" else api.auth(headers) if headers else {}

    response = await api.client.request(method, path, headers={**auth, **ZH},
                                         json={} if method == "post" else None)

    assert response.status_code == status
    answer = response.json()
    assert (answer["code"], answer["message"]) == (code, zh)
    assert "detail" in answer


async def test_a_garbage_token_is_refused_without_the_decoders_words(api):
    response = await api.client.get("/jobs/postings", headers={"Authorization": "Bearer not.a.token"})

    assert response.status_code == 401
    assert response.json()["detail"] == "the token is invalid or has expired"


async def test_a_422_does_not_repeat_an_id_number_or_a_long_input(workers_api):
    staff = workers_api.auth("station_staff", region="152222")
    body = worker(id_number="15222219831103600X\u0001", name="张" * 5000)

    answer = (await workers_api.client.post("/workers/profiles", json=body, headers=staff)).json()

    assert "152222198311036" not in str(answer)
    assert "张" * 100 not in str(answer)


async def test_a_422_lists_at_most_fifty_problems(api, employer):
    body = vacancy(**{f"unknown_{n}": n for n in range(500)})

    response = await api.client.post("/jobs/postings", json=body, headers=employer)

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert len(detail) == 51 and detail[-1]["code"] == "too_many_errors"
    assert len(response.content) < 20_000


async def test_a_posting_rule_broken_is_named_in_chinese(api, employer):
    response = await api.client.post("/jobs/postings", json=vacancy(wage_min=2000, wage_max=2500),
                                     headers={**employer, **ZH})

    assert response.status_code == 422
    [entry] = response.json()["detail"]
    assert entry["field"] == "wage_min" and entry["msg"].startswith("最低月薪低于") and "最低工资标准" in entry["msg"]


async def test_import_row_errors_and_upload_errors_speak_chinese(api):
    office = api.auth("partner_office", office_id="bj-fengtai-hrss")
    created = await api.client.post("/jobs/supply-lists", headers=office, json={
        "title": "丰台区清单", "source_region_code": "110106", "period_start": "2027-01-01", "period_end": "2027-06-30"})
    url = f"/jobs/supply-lists/{created.json()['id']}/postings/import"
    text = ("employer_name,title,occupation,region_code,wage_min,wage_max,headcount,valid_until\n"
            ",保洁员,保洁员,110106,5000,6000,1,2027-05-01\n"
            "丰台家政,保洁员,保洁员,110106,1000,6000,1,2027-05-01\n"
            "丰台家政,保洁员,保洁员,110106,abc,6000,1,2027-05-01\n")

    report = (await api.client.post(url, files={"file": ("list.csv", text.encode())}, headers={**office, **ZH})).json()
    english = (await api.client.post(url, files={"file": ("list.csv", text.encode())}, headers=office)).json()
    unreadable = await api.client.post(url, files={"file": ("list.csv", "姓名,电话\n张三,1\n".encode())},
                                       headers={**office, **ZH})

    assert [e["message"] for e in report["errors"]] == ["请填写用人单位", "最低月薪低于丰台区的最低工资标准（每月2540元）",
                                                        "应填整数"]
    assert "zh" not in report["errors"][0]
    assert english["errors"][0]["message"] == "employer_name is required"
    assert unreadable.status_code == 400 and unreadable.json()["message"].startswith("找不到认识的表头")
