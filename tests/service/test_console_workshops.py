"""The console's 扶贫车间 pages against the real workers service: add a workshop and its labourers, see what it lacks."""

from __future__ import annotations

import re
from datetime import date

from services.workers.profiles.idcard import make_id_number
from tests.service.conftest import worker


async def test_a_clerk_adds_a_workshop_and_five_labourers_until_it_meets_the_condition(console):
    ids = []
    for n in range(1, 6):
        body = worker(id_number=make_id_number("152222", date(1985, 4, n), n, "female"), phone=f"1370000{n:04d}",
                      name=f"车间工{n}")
        made = await console.client.post("/workers/profiles", json=body, headers=console.auth("admin"))
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    clerk = await console.browser("station1")
    assert "扶贫车间" in (await clerk.get("/console/workshops")).text
    await clerk.get("/console/workshops/new")
    nameless = await clerk.submit("/console/workshops/new", {"name": "", "kind": "扶贫车间", "county": "152222",
                                                             "township": "152222105"})
    assert nameless.status_code == 422 and re.search(r'id="name-error">[^<]*[\u4e00-\u9fff]', nameless.text)
    made = await clerk.submit("/console/workshops/new", {"name": "好腰苏木扶贫车间", "kind": "扶贫车间",
                                                         "county": "152222", "township": "152222105"})
    assert made.status_code == 303, made.text
    page_path = made.headers["location"]
    page = await clerk.get(page_path)
    assert "还差5名符合条件的劳动力" in page.text and "还没有登记劳动力" in page.text
    refused = await clerk.submit(f"{page_path}/labourers", {"worker_id": "x"}, csrf="wrong")
    assert refused.status_code == 403
    found = await clerk.get(f"{page_path}?q=车间工1")
    assert ids[0] in found.text and "152222********" in found.text  # the picker shows numbers masked
    short_wage = await clerk.submit(f"{page_path}/labourers", {"worker_id": ids[0], "contract_start": "2026-06-01",
                                                               "contract_months": "12", "monthly_wage": "0"})
    assert short_wage.status_code == 422
    assert re.search(r'id="monthly_wage-error">[^<]*[\u4e00-\u9fff]', short_wage.text), short_wage.text
    assert f'value="{ids[0]}" selected' in short_wage.text, "the labourer picked is kept"
    for n, worker_id in enumerate(ids):
        added = await clerk.submit(f"{page_path}/labourers", {
            "worker_id": worker_id, "contract_start": "2026-07-01", "contract_months": "5" if n == 0 else "12",
            "monthly_wage": "2250"})
        assert added.status_code == 303, added.text
    page = await clerk.get(page_path)
    assert "不符合：合同期5个月，不足6个月" in page.text and "还差1名符合条件的劳动力" in page.text
    listed = await clerk.get("/console/workshops")
    assert "好腰苏木扶贫车间" in listed.text and "4 / 5" in listed.text and "未达到" in listed.text
    await clerk.submit(f"{page_path}/labourers", {"worker_id": ids[0], "contract_start": "2026-06-01",
                                                   "contract_months": "12", "monthly_wage": "2250"})
    assert "已达到补贴条件" in (await clerk.get(page_path)).text
    other_county = await console.browser("station2")
    assert (await other_county.get(page_path)).status_code == 404
    assert "好腰苏木扶贫车间" not in (await other_county.get("/console/workshops")).text
