"""Postings through the jobs API: validation, ownership, lifecycle, listing, events."""

from __future__ import annotations

import asyncio

import pytest

from tests.service.conftest import vacancy


@pytest.fixture
async def owner(api):
    employer_id = await api.employer()
    return employer_id, api.auth("employer", employer_id=employer_id)


async def test_employer_posts_a_vacancy_and_its_event_carries_the_snapshot(api, owner):
    employer_id, headers = owner
    response = await api.client.post("/jobs/postings", json=vacancy(), headers=headers)
    assert response.status_code == 201, response.text
    posting = response.json()
    assert posting["status"] == "open" and posting["employer_id"] == employer_id
    assert posting["occupation_code"] == "4-10-01"  # derived from the occupation name
    assert (posting["lon"], posting["lat"]) == pytest.approx((116.287, 39.858), abs=0.01)  # from the district
    [event] = await api.events("jobs.posting.opened")
    assert event.subject == posting["id"] and event.version == 1 and event.producer == "jobs"
    assert event.data["wage_min"] == 5000 and event.data["employer_name"] == "北京安居家政服务有限公司"


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"wage_min": 2000, "wage_max": 2500}, "wage_min", "2540"),
    ({"wage_min": 7000, "wage_max": 6000}, "wage_min", "above wage_max"),
    ({"region_code": "999999"}, "region_code", "unknown region"),
    ({"age_min": 15}, "age_min", "16–65"),
    ({"age_max": 70}, "age_min", "16–65"),
    ({"age_min": 40, "age_max": 30}, "age_min", "age_min ≤ age_max"),
    ({"valid_until": "2026-11-01"}, "valid_until", "in the past"),
    ({"occupation": None}, "occupation", "occupation or occupation_code"),
    ({"occupation_code": "9-99-99"}, "occupation_code", "unknown occupation code"),
])
async def test_a_posting_that_breaks_a_rule_is_refused_with_the_rule_named(api, owner, changes, field, words):
    _, headers = owner
    response = await api.client.post("/jobs/postings", json=vacancy(**changes), headers=headers)
    assert response.status_code == 422, response.text
    problems = response.json()["detail"]
    assert any(p["loc"][-1] == field and words in p["msg"] for p in problems), problems
    assert await api.events() == []


@pytest.mark.parametrize("changes", [{"headcount": 0}, {"wage_min": -5}, {"gender": "robot"},
                                     {"valid_until": "not a date"}, {"unknown_field": 1}])
async def test_malformed_fields_are_refused(api, owner, changes):
    _, headers = owner
    response = await api.client.post("/jobs/postings", json=vacancy(**changes), headers=headers)
    assert response.status_code == 422


async def test_the_minimum_wage_is_the_one_of_the_posting_place(api, owner):
    _, headers = owner
    # 2300 is legal in 科右中旗 (floor 2250) but not in 乌兰浩特 (2310) nor in Beijing (2540).
    ok = await api.client.post("/jobs/postings", json=vacancy(region_code="152222", wage_min=2300), headers=headers)
    assert ok.status_code == 201, ok.text
    low = await api.client.post("/jobs/postings", json=vacancy(region_code="152201", wage_min=2300), headers=headers)
    assert low.status_code == 422 and "2310" in low.text and "乌兰浩特市" in low.text


async def test_another_employer_can_neither_see_nor_change_the_posting(api, owner):
    _, headers = owner
    posting = (await api.client.post("/jobs/postings", json=vacancy(), headers=headers)).json()
    rival_id = await api.employer("北京京安保安服务有限公司")
    rival = api.auth("employer", employer_id=rival_id)
    url = f"/jobs/postings/{posting['id']}"
    for response in (await api.client.patch(url, json={"wage_max": 9000}, headers=rival),
                     await api.client.post(f"{url}/close", headers=rival),
                     await api.client.get(url, headers=rival)):
        assert response.status_code in (403, 404)
        assert "家政" not in response.text
    assert (await api.client.get("/jobs/postings", headers=rival)).json()["total"] == 0
    unchanged = (await api.client.get(url, headers=headers)).json()
    assert unchanged["wage_max"] == 6500 and unchanged["status"] == "open"


async def test_roles_that_may_not_post_are_refused(api):
    assert (await api.client.post("/jobs/postings", json=vacancy())).status_code == 401
    staff = api.auth("station_staff", region="152222")
    assert (await api.client.post("/jobs/postings", json=vacancy(), headers=staff)).status_code == 403
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await api.client.get("/jobs/postings", headers=bad)).status_code == 401


async def test_admin_posts_for_a_named_employer_only(api, owner):
    employer_id, _ = owner
    admin = api.auth("admin")
    missing = await api.client.post("/jobs/postings", json=vacancy(), headers=admin)
    assert missing.status_code == 422 and "employer_id" in missing.text
    unknown = await api.client.post("/jobs/postings", json=vacancy(employer_id="no-such-employer"), headers=admin)
    assert unknown.status_code == 422 and "employer_id" in unknown.text
    assert (await api.client.get("/jobs/postings", headers=admin)).json()["total"] == 0
    assert await api.events("jobs.posting.opened") == []
    done = await api.client.post("/jobs/postings", json=vacancy(employer_id=employer_id), headers=admin)
    assert done.status_code == 201 and done.json()["employer_id"] == employer_id


async def test_a_change_is_checked_as_a_whole_and_versioned(api, owner):
    _, headers = owner
    posting = (await api.client.post("/jobs/postings", json=vacancy(), headers=headers)).json()
    url = f"/jobs/postings/{posting['id']}"
    refused = await api.client.patch(url, json={"wage_max": 4000}, headers=headers)  # now below wage_min
    assert refused.status_code == 422
    changed = await api.client.patch(url, json={"wage_min": 5500, "wage_max": 7000, "headcount": 5},
                                     headers=headers)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["wage_min"], changed.json()["version"]) == (5500, 2)
    [event] = await api.events("jobs.posting.updated")
    assert event.version == 2 and event.data["headcount"] == 5


async def test_close_ends_the_posting_once(api, owner):
    _, headers = owner
    posting = (await api.client.post("/jobs/postings", json=vacancy(), headers=headers)).json()
    url = f"/jobs/postings/{posting['id']}"
    closed = await api.client.post(f"{url}/close", headers=headers)
    assert closed.json()["status"] == "closed" and closed.json()["close_reason"] == "employer"
    again = await api.client.post(f"{url}/close", headers=headers)
    assert again.status_code == 200 and again.json()["version"] == closed.json()["version"]
    assert len(await api.events("jobs.posting.closed")) == 1
    assert (await api.client.patch(url, json={"headcount": 2}, headers=headers)).status_code == 409


async def test_a_posting_past_its_valid_until_date_stops_being_open(api, owner):
    from services.jobs.postings import service

    _, headers = owner
    posting = (await api.client.post("/jobs/postings", json=vacancy(valid_until="2026-12-01"),
                                     headers=headers)).json()
    api.clock.advance(days=4)  # 2026-12-02 10:00 in Beijing: the posting was valid through the 1st
    async with api.unit.database.transaction() as session:
        assert await service.expire_due(session=session, clock=api.clock) == 1
    expired = (await api.client.get(f"/jobs/postings/{posting['id']}", headers=headers)).json()
    assert (expired["status"], expired["close_reason"]) == ("closed", "expired")
    [event] = await api.events("jobs.posting.closed")
    assert event.data["status"] == "closed" and event.data["close_reason"] == "expired"


async def test_the_expiry_sweep_closes_a_posting_past_its_date_at_its_first_pass_and_stops_when_asked(api, owner):
    from services.jobs.postings.expiry import sweep_on_timer

    _, headers = owner
    posting = (await api.client.post("/jobs/postings", json=vacancy(valid_until="2026-12-01"),
                                     headers=headers)).json()
    api.clock.advance(days=4)
    stop = asyncio.Event()
    sweep = asyncio.create_task(sweep_on_timer(api.unit.database, api.clock, every=3600)(stop))
    for _ in range(100):
        if (await api.client.get(f"/jobs/postings/{posting['id']}", headers=headers)).json()["status"] == "closed":
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(sweep, timeout=5)  # not after the hour's wait
    expired = (await api.client.get(f"/jobs/postings/{posting['id']}", headers=headers)).json()
    assert (expired["status"], expired["close_reason"]) == ("closed", "expired")


async def test_listing_filters_and_pages(api, owner):
    _, headers = owner
    for region, title, occupation in [("110106", "保洁员", "保洁员"), ("110105", "保安员", "保安员"),
                                      ("152222", "电焊工", "焊工"), ("152222105", "保洁员", "保洁员")]:
        body = vacancy(region_code=region, title=title, occupation=occupation, wage_min=3000, wage_max=4000)
        if region.startswith("11"):
            body["wage_min"] = 2600
        assert (await api.client.post("/jobs/postings", json=body, headers=headers)).status_code == 201
    staff = api.auth("station_staff", region="152222")

    async def total(query: str) -> int:
        response = await api.client.get(f"/jobs/postings?{query}", headers=staff)
        assert response.status_code == 200, response.text
        return response.json()["total"]

    assert await total("region=1522") == 2
    assert await total("region=11") == 2
    assert await total("occupation=保洁员") == 2
    assert await total("occupation=6-18") == 1
    assert await total("text=电焊") == 1
    assert await total("status=closed") == 0
    page = (await api.client.get("/jobs/postings?page=2&page_size=3", headers=staff)).json()
    assert (page["total"], len(page["items"]), page["page"]) == (4, 1, 2)
    first = (await api.client.get("/jobs/postings?page=1&page_size=3", headers=staff)).json()
    both = first["items"] + page["items"]
    assert sorted(item["region_code"] for item in both) == ["110105", "110106", "152222", "152222105"]
    assert all(item["employer_name"] for item in both) and first["total"] == 4
    past_the_end = (await api.client.get("/jobs/postings?page=3&page_size=3", headers=staff)).json()
    assert (past_the_end["total"], past_the_end["items"]) == (4, [])
    assert (await total("region=110106")) == 1 and (await total("region=152222105")) == 1
    assert await total("text=%25") == 0 and await total("text=_") == 0  # LIKE's wildcards are matched as themselves
    assert await total("occupation=6-1_") == 0 and await total("region=15222210") == 1
    assert (await api.client.get("/jobs/postings?region=abc", headers=staff)).status_code == 422


async def test_health_ready_and_metrics_answer(api):
    assert (await api.client.get("/jobs/health")).json()["status"] == "ok"
    ready = await api.client.get("/jobs/ready")
    assert ready.status_code == 200 and ready.json()["database"] is True
    metrics = await api.client.get("/metrics")
    assert "jobbridge_http_requests_total" in metrics.text


async def test_events_written_before_a_crash_are_delivered_after_the_restart(tmp_path, clock):
    """The embedded bus is fed from the outbox: what was committed but not yet relayed survives a restart."""
    import httpx

    from services.jobs.app import create_app
    from services.jobs.settings import JobsSettings
    from tests.service.conftest import SECRET, Api

    def app(relay: bool):
        return create_app(JobsSettings(data_dir=tmp_path, jwt_secret=SECRET, relay_poll_seconds=0.05,
                                       run_workers_in_process=relay), clock=clock)

    first = app(relay=False)  # the process dies before its relay ran
    async with first.router.lifespan_context(first):
        transport = httpx.ASGITransport(app=first)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            api = Api(first, client, clock)
            headers = api.auth("employer", employer_id=await api.employer())
            posted = [(await client.post("/jobs/postings", json=vacancy(title=f"岗位{n}"), headers=headers)).json()["id"]
                      for n in range(3)]

    received: list[str] = []
    second = app(relay=True)

    async def audit(event) -> None:
        received.append(event.subject)

    await second.state.runtime.bus.subscribe("audit", ["jobs.posting.*"], audit)
    async with second.router.lifespan_context(second):
        for _ in range(100):
            if len(received) == 3:
                break
            await asyncio.sleep(0.05)
    assert sorted(received) == sorted(posted)


async def test_every_response_carries_a_request_id(api):
    given = await api.client.get("/jobs/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await api.client.get("/jobs/health")
    assert len(made.headers["x-request-id"]) == 32
