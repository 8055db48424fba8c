"""Job fairs on the embedded platform: the console's 招聘会 pages, and an invitation travelling from jobs to notify
(jobs.fair.invited on the in-process bus) to the labourer's phone."""

from __future__ import annotations

import re

from tests.service.conftest import worker
from tests.service.console_world import STAFF_REGION


async def register(console, **changes) -> str:
    body = worker(**changes)
    answer = await console.client.post("/workers/profiles", json=body,
                                       headers=console.auth("station_staff", region=STAFF_REGION))
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


async def test_a_clerk_enters_a_fair_invites_a_labourer_and_records_the_outcome(console):
    worker_id = await register(console)
    clerk = await console.browser("station1")
    page = await clerk.get("/console/fairs")
    assert page.status_code == 200 and "科尔沁右翼中旗" in page.text and "还差2场" in page.text
    assert "阿尔山市" not in page.text, "a county's staff see their own county's row"
    refused = await clerk.submit("/console/fairs", {"title": "冬季招聘会", "held_on": "2026-11-28",
                                                    "start_time": "09:00", "region_code": "152221",
                                                    "venue": "人力资源市场"})
    assert refused.status_code == 422 and "只能登记本辖区的招聘会" in refused.text
    made = await clerk.submit("/console/fairs", {"title": "科右中旗冬季招聘会", "held_on": "2026-11-28",
                                                 "start_time": "14:00", "region_code": "152222105",
                                                 "venue": "巴彦呼舒镇人力资源市场"})
    assert made.status_code == 303, made.text
    fair_path = made.headers["location"]
    detail = await clerk.get(fair_path)
    posting_id = re.search(r'<option value="([0-9a-f-]{36})">家政服务员', detail.text).group(1)
    assert (await clerk.submit(f"{fair_path}/postings", {"posting_id": posting_id})).status_code == 303
    detail = await clerk.get(fair_path)
    assert f'name="worker_id" value="{worker_id}"' in detail.text and "张*英" in detail.text
    bad = await clerk.submit(f"{fair_path}/invitations", {"worker_ids": "张秀英"})
    assert bad.status_code == 422 and "编号格式不对" in bad.text
    assert (await clerk.submit(f"{fair_path}/invitations", {"worker_id": worker_id})).status_code == 303
    await console.settle()
    recorder = console.unit_of("notify").state["recorder"]
    [sms] = recorder.sent_to(worker()["phone"])
    assert sms.template == "fair_invitation"
    assert "11月28日14时在巴彦呼舒镇人力资源市场举办招聘会，有1个岗位" in sms.text
    hired = await clerk.submit(f"{fair_path}/attendance", {"worker_id": worker_id, "attended": "1",
                                                           "outcome": "hired", "posting_id": posting_id})
    assert hired.status_code == 303, hired.text
    detail = await clerk.get(fair_path)
    assert "当场录用" in detail.text and "已邀请" in detail.text and "13394641177" not in detail.text
    ledger = await clerk.get("/console/fairs")
    assert "还差1场" in ledger.text and "科右中旗冬季招聘会" in ledger.text
    report = await clerk.get("/console/reports")
    assert report.status_code == 200 and "招聘会（每年至少2场）" in report.text and "还差1场" in report.text
    other = await console.browser("station2")
    assert (await other.get(fair_path)).status_code == 404
