"""The lists staff tools read: recent runs, open shortfalls and profiles by id, each inside the caller's region."""

from __future__ import annotations

import asyncio

from tests.service.conftest import vacancy, worker


async def _world(api):
    admin = api.auth("admin")
    made = await api.client.post("/jobs/employers", json={"name": "北京安居家政", "region_code": "110106"},
                                 headers=admin)
    posting = await api.client.post("/jobs/postings", json={**vacancy(), "employer_id": made.json()["id"]},
                                    headers=admin)
    assert posting.status_code == 201, posting.text
    staff = api.auth("station_staff", region="152222")
    registered = await api.client.post("/workers/profiles", json=worker(), headers=staff)
    assert registered.status_code == 201, registered.text
    await api.settle()
    return staff, registered.json()["id"]


async def test_recent_runs_and_open_shortfalls_of_the_region(platform_api):
    api = platform_api
    staff, worker_id = await _world(api)
    started = await api.client.post("/matching/runs", json={"region_code": "152222"}, headers=staff)
    assert started.status_code == 202
    for _ in range(100):
        if (await api.client.get(f"/matching/runs/{started.json()['id']}", headers=staff)).json()["status"] == "done":
            break
        await asyncio.sleep(0.05)
    runs = await api.client.get("/matching/runs", headers=staff)
    assert [r["id"] for r in runs.json()] == [started.json()["id"]]
    other = api.auth("station_staff", region="152221")
    assert (await api.client.get("/matching/runs", headers=other)).json() == []
    assert (await api.client.get("/matching/runs?region=1522", headers=staff)).status_code == 403

    # One posting only: the worker's set falls short of three, and says why.
    short = (await api.client.get("/matching/shortfalls", headers=staff)).json()
    assert short["total"] == 1 and short["items"][0]["worker_id"] == worker_id
    assert short["items"][0]["found"] == 1 and short["items"][0]["reason"]
    assert (await api.client.get("/matching/shortfalls", headers=other)).json()["total"] == 0
    assert (await api.client.get("/matching/shortfalls?region=15", headers=other)).status_code == 403


async def test_profiles_by_id_stay_masked_and_inside_the_region(platform_api):
    api = platform_api
    staff, worker_id = await _world(api)
    found = (await api.client.get(f"/workers/profiles?ids={worker_id},nope", headers=staff)).json()
    assert [w["id"] for w in found["items"]] == [worker_id] and found["items"][0]["name"] == "张*英"
    other = api.auth("station_staff", region="152221")
    assert (await api.client.get(f"/workers/profiles?ids={worker_id}", headers=other)).json()["total"] == 0


async def test_admin_lists_messages_by_status_alone_and_staff_do_not(tmp_path):
    import httpx

    from services.notify.app import create_app
    from services.notify.settings import NotifySettings
    from shared.auth import mint_token
    from tests.service.conftest import SECRET

    app = create_app(NotifySettings(data_dir=tmp_path, jwt_secret=SECRET))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            admin = {"Authorization": f"Bearer {mint_token(key=SECRET, role='admin')}"}
            staff = {"Authorization": f"Bearer {mint_token(key=SECRET, role='station_staff', region='152222')}"}
            assert (await client.get("/notify/messages?status=failed", headers=admin)).json()["total"] == 0
            assert (await client.get("/notify/messages?status=failed", headers=staff)).status_code == 422
            assert (await client.get("/notify/messages", headers=admin)).status_code == 422
