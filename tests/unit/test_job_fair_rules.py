"""Job-fair rules and the invitation's text, as pure functions."""

from __future__ import annotations

from datetime import date

import pytest

from services.jobs.fairs.rules import FairDay, date_problem, organiser_county, yearly
from services.notify.invitations.compose import Fair, compose_sms, compose_wechat, time_text


@pytest.mark.parametrize(("place", "county"), [
    ("152222105", "152222"), ("152201", "152201"), ("110106", "110106"),
    ("152200", None), ("110000", None), ("150000", None), ("152222999", None)])
def test_the_county_that_holds_a_fair(place, county):
    assert organiser_county(place) == county


def test_a_fair_is_entered_from_last_year_up_to_a_year_ahead():
    today = date(2026, 11, 28)
    assert date_problem(date(2025, 1, 1), today=today) is None
    assert date_problem(date(2024, 12, 31), today=today) is not None
    assert date_problem(date(2027, 11, 29), today=today) is None
    assert date_problem(date(2027, 11, 30), today=today) is not None


def test_the_year_counts_fairs_held_from_new_year_to_today_only():
    today = date(2026, 11, 28)
    fairs = [FairDay("a", "152222", date(2026, 1, 1)), FairDay("b", "152222", date(2026, 11, 28)),
             FairDay("c", "152222", date(2026, 11, 29)), FairDay("d", "152222", date(2025, 12, 31)),
             FairDay("e", "152201", date(2026, 3, 1)), FairDay("f", "110106", date(2026, 3, 1))]
    rows = {r.county_code: r for r in yearly(["152201", "152222"], fairs, year=2026, today=today)}
    assert ([f.id for f in rows["152222"].held], [f.id for f in rows["152222"].planned]) == (["a", "b"], ["c"])
    assert rows["152222"].met and (rows["152201"].count, rows["152201"].met) == (1, False)


def fair(*, title: str = "乌兰浩特市春季招聘会", venue: str = "乌兰浩特市人力资源市场", postings: int = 5) -> Fair:
    return Fair(title=title, held_on=date(2026, 12, 10), start_time="09:00", venue=venue, postings=postings)


def test_the_invitation_sms_reads_as_the_template_says():
    text, params, segments = compose_sms(fair(), contact="0482-8261234")
    assert text == "【兴安就业】12月10日9时在乌兰浩特市人力资源市场举办招聘会，有5个岗位，欢迎参加。咨询0482-8261234。回T退订"
    assert list(params) == ["date", "time", "venue", "jobs", "contact"] and segments == 1


def test_a_fair_without_postings_yet_a_long_venue_and_brackets():
    _, params, _ = compose_sms(fair(postings=0, venue="【科右中旗】巴彦呼舒镇人力资源和社会保障服务中心一楼大厅"), contact="站")
    assert params["jobs"] == "多家单位现场招聘"
    assert len(params["venue"]) <= 20 and "【" not in params["venue"] and params["venue"].endswith("…")
    with pytest.raises(ValueError):
        compose_sms(fair(), contact="电" * 36)


def test_the_time_of_day_and_the_wechat_lines():
    assert (time_text("09:00"), time_text("14:30")) == ("9时", "14时30分")
    wechat = compose_wechat(fair(title="兴安盟2026年冬季大型就业援助月专场招聘会"), contact="0482-8261234")
    assert all(len(v["value"]) <= 20 for v in wechat["data"].values()) and wechat["url"] is None
