"""The event contracts: each event, built by its producer as it always was, keeps its JSON on the wire, and each
contract reads it back exactly (consumers in other processes may still run old code)."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.jobs.employers.models import Employer
from services.jobs.events import snapshot as posting_snapshot
from services.jobs.fairs.models import JobFair
from services.jobs.fairs.service import invitation
from services.jobs.postings.models import Posting
from services.matching.ranking.model import Item, PostingView, Recommendation, Shortfall
from services.matching.recommendations.service import body
from services.notify.events import reply_data, snapshot as message_snapshot
from services.notify.messages.models import Message
from services.notify.replies.models import Reply, ReplyKind
from services.workers.events import snapshot as worker_snapshot
from services.workers.placements.models import Placement
from services.workers.placements.service import placement_data
from services.workers.profiles.models import WorkerProfile
from shared.auth import Principal, Role
from shared.contracts import BY_TYPE, EVENTS, contract
from shared.contracts.matching import RecommendationsIssued
from shared.contracts.workers import WorkerSnapshot

# Each event's data as the producers published it before the contracts existed (read off their code then).
PUBLISHED = json.loads((Path(__file__).parent / "events_as_published.json").read_text(encoding="utf-8"))
T = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)


def test_every_event_type_has_one_contract_and_an_example():
    assert sorted(BY_TYPE) == sorted(PUBLISHED)
    assert len(BY_TYPE) == len(EVENTS)
    for event in EVENTS:
        assert event.producer in ("jobs", "workers", "matching", "notify") and event.version >= 1


@pytest.mark.parametrize("type", sorted(PUBLISHED))
def test_the_contract_reads_back_exactly_what_was_published(type):
    data = PUBLISHED[type]
    assert contract(type).parse(data).data() == data


def test_a_newer_producers_extra_fields_are_ignored_and_a_missing_required_one_is_refused():
    data = PUBLISHED["workers.profile.registered"]
    assert WorkerSnapshot.model_validate(data | {"favourite_colour": "红"}).data() == data
    with pytest.raises(ValidationError):
        WorkerSnapshot.model_validate({k: v for k, v in data.items() if k != "home_region_code"})


def test_an_older_producers_offer_without_fit_reads_as_desired():
    data = PUBLISHED["matching.recommendations.issued"]
    old = data | {"items": [{k: v for k, v in item.items() if k != "fit"} for item in data["items"]]}
    assert RecommendationsIssued.model_validate(old).items[0].fit == "desired"


def employer() -> Employer:
    return Employer(id="e1", name="兴安盟钢铁有限公司", region_code="152201")


def posting(**changes) -> Posting:
    fields = dict(id="p1", employer_id="e1", employer=employer(), title="电焊工", occupation="电焊工",
                  occupation_code="6-18-02-04", description="", skills=["电焊"], region_code="152201",
                  address="乌兰浩特市", lon=122.07, lat=46.08, wage_min=4000, wage_max=5500, headcount=3, placed=0,
                  age_min=18, age_max=55, gender=None, certificates=["焊工证"], meals=True, lodging=False,
                  contract_months=12, public_welfare=False, workshop=False, supply_list_id=None, supply_list=None,
                  valid_until=date(2026, 12, 31), status="open", close_reason=None, posted_on=date(2026, 11, 1),
                  version=2, created_at=T, updated_at=T)
    return Posting(**(fields | changes))


def profile() -> WorkerProfile:
    return WorkerProfile(id="w1", birth_date=date(1980, 5, 1), gender="女", home_region_code="152222105",
                         labor_capacity="full", education="初中", skills=["保洁"], certificates=[],
                         desired_occupations=["保洁员"], transfer_intention="anywhere", expected_wage=3000,
                         wants_training=True, wants_entrepreneurship=False, wechat_openid_sealed=None,
                         consent_sms=True, consent_wechat=False, consent_share=True, status="seeking")


def placement(**changes) -> Placement:
    return Placement(**(dict(id="pl1", posting_id="p1", start_date=date(2026, 12, 1), monthly_wage=4500,
                             contract_months=12, work_region_code="152201", organised_export=True,
                             subsidy_eligible=True, subsidy_rule="organised") | changes))


def message(**changes) -> Message:
    return Message(**(dict(id="m1", kind="offers", worker_id="w1", set_id="s1", run_id=None, channel="sms",
                           status="delivered", provider="aliyun", attempts=1, reason=None, sent_at=T,
                           delivered_at=T) | changes))


def reply(kind: str, **changes) -> Reply:
    return Reply(**(dict(id="r1", kind=kind, worker_id="w1", set_id="s1", run_id=None, message_id="m1",
                         received_at=T) | changes))


def test_the_producers_publish_what_they_published_before():
    today = date(2026, 11, 28)
    assert posting_snapshot(posting()).data() == PUBLISHED["jobs.posting.opened"]
    assert posting_snapshot(posting(status="closed", close_reason="filled")).data() == PUBLISHED["jobs.posting.closed"]
    worker = worker_snapshot(profile(), today=today)
    assert worker.data() == PUBLISHED["workers.profile.registered"]
    placed = profile()
    placed.status = "placed"
    assert worker_snapshot(placed, today=today, placement=placement_data(placement())).data() \
        == PUBLISHED["workers.profile.placed"]
    ended = worker_snapshot(profile(), today=today, placement=placement_data(placement(ended_on=date(2027, 3, 1))))
    assert ended.data() == PUBLISHED["workers.profile.updated"]

    fair = JobFair(id="f1", title="科右中旗冬季招聘会", held_on=date(2026, 12, 10), start_time="09:00",
                   region_code="152222105", county_code="152222", venue="巴彦呼舒镇人力资源市场", version=1)
    staff = Principal(sub="staff-1", role=Role.station_staff, region="152222")
    assert invitation(fair, worker_ids=["w1", "w2"], postings=12, by=staff).data() == PUBLISHED["jobs.fair.invited"]

    assert message_snapshot(message()).data() == PUBLISHED["notify.message.delivered"]
    failed = message(status="failed", reason="号码不存在", delivered_at=None)
    assert message_snapshot(failed).data() == PUBLISHED["notify.message.failed"]
    interest = reply(ReplyKind.interest, posting_id="p1", offer_number=1)
    assert reply_data(interest, channel="sms").data() == PUBLISHED["notify.offer.interested"]
    none_fits = reply(ReplyKind.none_fit, offer_number=0)
    assert reply_data(none_fits, channel="wechat").data() == PUBLISHED["notify.offer.declined_all"]

    view = PostingView(id="p1", employer_id="e1", employer_name="兴安盟钢铁有限公司", title="电焊工",
                       occupation="电焊工", occupation_code=None, region_code="152201", lon=122.07, lat=46.08,
                       wage_min=4000, wage_max=5500, headcount=3, valid_until=date(2026, 12, 31), description="",
                       skills=("电焊",), age_min=18, age_max=55, gender=None, certificates=(), meals=True,
                       lodging=False, contract_months=12, public_welfare=False, workshop=False, supply_list_id=None,
                       status="open")
    recommendation = Recommendation("w1", (Item("p1", 0.8734, 312.44, ("会：电焊",), (), "skill"),),
                                    Shortfall(1, "附近岗位不足"))
    issued = body(recommendation, {"p1": view}) | {"set_id": "s1", "run_id": None, "home_region_code": "152222105"}
    assert RecommendationsIssued.model_validate(issued).data() == PUBLISHED["matching.recommendations.issued"]
