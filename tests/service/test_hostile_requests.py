"""Requests built to break the API get a 4xx that says why, never a 500."""

from __future__ import annotations

import json
import time

import pytest

from tests.service.conftest import vacancy

JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def employer(api):
    return api.auth("employer", employer_id=await api.employer())


@pytest.mark.parametrize("path", ["/jobs/employers?offset=9223372036854775808",
                                  "/jobs/postings?page=100000000000000000",
                                  "/jobs/postings?page=9223372036854775807"])
async def test_paging_past_any_listing_is_a_422(api, path):
    response = await api.client.get(path, headers=api.auth("admin"))

    assert response.status_code == 422, response.text


async def test_paging_far_is_answered_with_an_empty_page(api):
    response = await api.client.get("/jobs/postings?page=1000000", headers=api.auth("admin"))

    assert response.status_code == 200 and response.json()["items"] == []


@pytest.mark.parametrize("field", ["title", "description", "skills", "region_code", "wage_min", "headcount", "meals",
                                   "valid_until", "address", "certificates"])
async def test_null_for_a_field_a_posting_must_hold_is_a_422(api, employer, field):
    posting = (await api.client.post("/jobs/postings", json=vacancy(), headers=employer)).json()

    response = await api.client.patch(f"/jobs/postings/{posting['id']}", json={field: None}, headers=employer)

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", field]


async def test_null_where_a_posting_may_hold_none_is_accepted(api, employer):
    posting = (await api.client.post("/jobs/postings", json=vacancy(), headers=employer)).json()

    response = await api.client.patch(f"/jobs/postings/{posting['id']}", json={"gender": None, "contract_months": None},
                                      headers=employer)

    assert response.status_code == 200, response.text
    assert response.json()["contract_months"] is None


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
async def test_nan_and_infinity_are_a_422(api, employer, constant):
    body = b'{"title": "x", "lon": %s, "wage_min": 5000}' % constant

    response = await api.client.post("/jobs/postings", content=body, headers={**employer, **JSON})

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "not_a_number"


async def test_a_body_with_absurdly_many_keys_is_refused_early(api, employer):
    body = vacancy(**{f"k{n}": n for n in range(60_000)})  # about 1 MB
    started = time.monotonic()

    response = await api.client.post("/jobs/postings", json=body, headers=employer)

    assert response.status_code == 422 and response.json()["code"] == "too_many_keys"
    assert len(response.content) < 2_000
    assert time.monotonic() - started < 5


async def test_a_body_over_a_megabyte_is_a_413(api, employer):
    response = await api.client.post("/jobs/postings", json=vacancy(description="x" * (2 << 20)), headers=employer)

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_a_chunked_body_over_a_megabyte_is_a_413(api, employer):
    async def chunks():
        for _ in range(40):
            yield b" " * 65536

    response = await api.client.post("/jobs/postings", content=chunks(), headers={**employer, **JSON})

    assert response.status_code == 413


async def test_deep_nesting_is_a_422(api, employer):
    response = await api.client.post("/jobs/postings", content=b"[" * 200_000 + b"]" * 200_000,
                                     headers={**employer, **JSON})

    assert response.status_code in (413, 422)
    response = await api.client.post("/jobs/postings", content=b"[" * 100_000 + b"]" * 100_000,
                                     headers={**employer, **JSON})
    assert response.status_code == 422, response.text


async def test_half_a_surrogate_pair_in_a_key_is_a_422(api, employer):
    response = await api.client.post("/jobs/postings", content=b'{"\\udc00": 1}', headers={**employer, **JSON})

    assert response.status_code == 422 and response.json()["code"] == "broken_text"


@pytest.mark.parametrize("body", [
    '{"title": "\\ud83d家政"}'.encode(),  # the first half of a pair, escaped, in a value
    '{"title": "家政"}'.encode().replace("政".encode(), b"\xed\xa0\x80"),  # the half as UTF-8 bytes
    b'{"title": "\\uDFFF"}',  # upper-case hex digits
    '{"title": "\\udc00"}'.encode("utf-16"),  # in a body sent as UTF-16
], ids=["escaped", "utf-8 bytes", "upper case", "utf-16"])
async def test_half_a_surrogate_pair_however_written_is_a_422(api, employer, body):
    response = await api.client.post("/jobs/postings", content=body, headers={**employer, **JSON})

    assert response.status_code == 422 and response.json()["code"] == "broken_text"


async def test_a_whole_surrogate_pair_and_an_escaped_backslash_are_text(api, employer):
    body = vacancy() | {"title": "家政服务员😀", "description": "C:\\udc00 不是乱码"}
    escaped = json.dumps(body).encode()  # the emoji as a pair of escapes, the backslash escaped before "udc00"

    response = await api.client.post("/jobs/postings", content=escaped, headers={**employer, **JSON})

    assert response.status_code == 201, response.text
    assert (response.json()["title"], response.json()["description"]) == ("家政服务员😀", "C:\\udc00 不是乱码")


async def test_a_control_character_in_the_query_is_a_422(api):
    response = await api.client.get("/jobs/postings?text=%00%01", headers=api.auth("admin"))

    assert response.status_code == 422 and response.json()["code"] == "control_character"


async def test_an_upload_may_be_larger_than_a_json_body(api):
    office = api.auth("partner_office", office_id="bj-fengtai-hrss")
    created = await api.client.post("/jobs/supply-lists", headers=office, json={
        "title": "丰台区清单", "source_region_code": "110106", "period_start": "2027-01-01", "period_end": "2027-06-30"})
    text = "title\n" + "x\n" * 700_000  # 1.4 MB, under the jobs upload limit of these tests (2 MB)

    response = await api.client.post(f"/jobs/supply-lists/{created.json()['id']}/postings/import",
                                     files={"file": ("list.csv", text.encode())}, headers=office)

    assert response.status_code != 413
