"""What came of the offers: a reply's interest puts the labourer first on the candidate list, the employer's
decision is shown and counted, and the funnel counts each stage with the labourers behind it."""

from __future__ import annotations

import io
import uuid

from openpyxl import load_workbook

from shared.events.envelope import Envelope
from tests.service.test_matching import world  # noqa: F401 - the postings and labourers of 科右中旗


async def reply(api, *, worker_id: str, set_id: str, posting_id: str | None, number: int | None,
                reply_id: str | None = None) -> None:
    """What notify publishes when a labourer answers an offers SMS with a digit (0: none fits)."""
    kind = "notify.offer.interested" if posting_id else "notify.offer.declined_all"
    data: dict[str, object] = {"reply_id": reply_id or str(uuid.uuid4()), "worker_id": worker_id, "set_id": set_id,
                               "run_id": None, "channel": "sms", "received_at": "2026-11-28T03:00:00+00:00"}
    if posting_id:
        data |= {"posting_id": posting_id, "offer_number": number}
    event = Envelope(type=kind, occurred_at="2026-11-28T03:00:00Z", producer="notify", subject=str(data["reply_id"]),
                     version=1, data=data)
    await api.app.state.runtime.bus.publish(event)


async def issue(api, staff, worker_id: str) -> dict:
    issued = await api.client.post(f"/matching/workers/{worker_id}/recommendations", headers=staff)
    assert issued.status_code == 201, issued.text
    [latest, *_] = (await api.client.get(f"/matching/workers/{worker_id}/recommendation-sets", headers=staff)).json()
    return latest


async def test_interest_leads_the_candidate_list_and_the_employers_decision_is_shown(world):  # noqa: F811
    api, staff, zhang = world["api"], world["staff"], world["workers"]["zhang"]
    offers = await issue(api, staff, zhang)
    second = offers["items"][1]
    owner = world["admin"]
    url = f"/matching/postings/{second['posting_id']}/candidates"
    before = (await api.client.get(url, headers=owner)).json()["candidates"]
    assert all(c["interested"] is False and c["decision"] is None for c in before)
    for _ in range(2):  # the provider pushed the same reply twice: it counts once
        await reply(api, worker_id=zhang, set_id=offers["set_id"], posting_id=second["posting_id"], number=2,
                    reply_id="reply-1")
    [first, *_] = (await api.client.get(url, headers=owner)).json()["candidates"]
    assert first["worker_id"] == zhang and first["interested"] is True
    invited = await api.client.put(f"{url}/{zhang}/decision", json={"decision": "invited", "note": "周一面试"},
                                   headers=owner)
    assert invited.status_code == 200 and invited.json()["decision_text"] == "已邀约面试"
    [first, *_] = (await api.client.get(url, headers=owner)).json()["candidates"]
    assert (first["decision"], first["decision_text"]) == ("invited", "已邀约面试")
    own = {"Authorization": world["beijing"]["Authorization"]}  # the employer of the 家政服务员 posting
    mine = f"/matching/postings/{world['postings']['housekeeper']}/candidates/{zhang}/decision"
    assert (await api.client.put(mine, json={"decision": "not_suitable"}, headers=own)).status_code == 200
    stranger = api.auth("employer", employer_id=str(uuid.uuid4()))
    refused = await api.client.put(f"{url}/{zhang}/decision", json={"decision": "hired"}, headers=stranger)
    assert refused.status_code == 404
    hidden = world["workers"]["bao"]  # did not agree to be shown to employers
    assert (await api.client.put(f"{url}/{hidden}/decision", json={"decision": "hired"},
                                 headers=world["admin"])).status_code == 404
    bad = await api.client.put(f"{url}/{zhang}/decision", json={"decision": "maybe"}, headers=owner)
    assert bad.status_code == 422


async def test_the_funnel_counts_each_stage_with_the_labourers_behind_it(world):  # noqa: F811
    api, staff, admin = world["api"], world["staff"], world["admin"]
    zhang, bao = world["workers"]["zhang"], world["workers"]["bao"]
    offers = await issue(api, staff, zhang)
    await issue(api, staff, bao)
    posting = offers["items"][0]["posting_id"]
    await reply(api, worker_id=zhang, set_id=offers["set_id"], posting_id=posting, number=1)
    decided = await api.client.put(f"/matching/postings/{posting}/candidates/{zhang}/decision",
                                   json={"decision": "hired"}, headers=admin)
    assert decided.status_code == 200, decided.text
    placed = await api.client.post(f"/workers/profiles/{zhang}/placements", headers=staff, json={
        "posting_id": posting, "start_date": "2026-12-01", "monthly_wage": 5600, "contract_months": 12,
        "organised_export": True})
    assert placed.status_code == 201, placed.text
    await api.settle()
    funnel = (await api.client.get("/matching/funnel?region=152222", headers=staff)).json()
    total = funnel["total"]
    assert {k: total[k] for k in ("offered", "delivered", "interested", "invited", "placed", "retained_6m")} == {
        "offered": 2, "delivered": 0, "interested": 1, "invited": 1, "placed": 1, "retained_6m": 0}
    assert total["placed_from_offers"] == 1 and total["interest_in_first_three"] == 1.0
    assert [row["code"] for row in funnel["counties"]] == ["152222"]
    behind = (await api.client.get("/matching/funnel/workers?stage=offered", headers=staff)).json()
    assert behind["total"] == 2 and set(behind["worker_ids"]) == {zhang, bao}
    assert (await api.client.get("/matching/funnel/workers?stage=placed", headers=staff)).json()["worker_ids"] == [
        zhang]
    sheet = await api.client.get("/matching/funnel?format=xlsx", headers=staff)
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("地区", "推荐岗位人数", "送达") and rows[-1][:2] == ("合计", 2)
    month = (await api.client.get("/matching/funnel?month=2026-10", headers=staff)).json()
    assert month["total"]["offered"] == 0  # the sets were issued in November
    other = api.auth("station_staff", region="152221")
    assert (await api.client.get("/matching/funnel?region=152222", headers=other)).status_code == 403
    assert (await api.client.get("/matching/funnel", headers=other)).json()["total"]["offered"] == 0
    assert (await api.client.get("/matching/funnel?stage=x", headers=world["beijing"])).status_code == 403
