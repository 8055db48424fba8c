"""The pure parts of the monthly report: months, the pension ages, the goals' arithmetic, the poor counties'
townships and the workbook's cells."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

from openpyxl import load_workbook

from services.workers.profiles.idcard import age_on
from services.workers.reports.figures import ALL_FIGURES, FIVE, goals, share, tally
from services.workers.reports.months import Month, birth_bounds, months_due
from services.workers.reports.xlsx import workbook
from services.workers.service_points.places import counted, poor_counties, poor_townships


def test_a_month_runs_from_local_midnight_to_local_midnight():
    november = Month.parse("2026-11")
    assert november.begins == datetime(2026, 10, 31, 16, tzinfo=timezone.utc)
    assert november.ends == datetime(2026, 11, 30, 16, tzinfo=timezone.utc)
    assert november.last_day == date(2026, 11, 30) and str(november.next()) == "2026-12"
    assert str(Month.parse("2027-01").previous()) == "2026-12" and Month.parse("2024-02").last_day.day == 29
    for text in ("2026-13", "2026-1", "26-11", "2026-00", "2026-11-01"):
        try:
            Month.parse(text)
        except ValueError:
            continue
        raise AssertionError(text)


def test_the_timer_freezes_the_month_just_ended_and_those_missed_before_it():
    def due(last: str, *frozen: str, reach: int = 12) -> list[str]:
        return [str(m) for m in months_due(Month.parse(last), {Month.parse(f) for f in frozen}, reach=reach)]

    assert due("2026-11") == ["2026-11"]  # a first start: only the month just ended
    assert due("2026-11", "2026-11") == []  # frozen already: nothing to do
    assert due("2027-02", "2026-10", "2026-11") == ["2026-12", "2027-01", "2027-02"]  # down for three months
    assert due("2027-02", "2026-10", "2027-01") == ["2026-11", "2026-12", "2027-02"]  # a gap no one read
    assert due("2027-02", "2024-01", reach=3) == ["2026-12", "2027-01", "2027-02"]  # no further back than `reach`
    assert due("2018-02") == ["2018-02"] and due("2018-02", "2018-01") == ["2018-02"]
    assert due("2017-12") == []  # before the plan's first month


def eligible(birth: date, day: date) -> bool:
    born_after, born_by = birth_bounds(day, youngest=16, oldest=59)
    return born_after < birth <= born_by


def test_pension_eligibility_is_age_16_to_59_on_the_day():
    day = date(2026, 11, 30)
    assert eligible(date(1966, 12, 1), day)  # 59 and a day short of 60
    assert not eligible(date(1966, 11, 30), day)  # 60 that day
    assert eligible(date(2010, 11, 30), day)  # 16 that day
    assert not eligible(date(2010, 12, 1), day)  # 15
    # The bounds agree with the age the profiles show, leap days included.
    for day in (date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1), date(2026, 11, 30)):
        for birth in (date(1964, 2, 29), date(1965, 2, 28), date(1965, 3, 1), date(2008, 2, 29), date(2009, 3, 1),
                      date(1966, 11, 30), date(1966, 12, 1)):
            assert eligible(birth, day) == (16 <= age_on(birth, day) <= 59), (birth, day)


def test_goals_give_shares_and_changes_and_never_divide_by_nothing():
    assert share(1, 3) == 0.3333 and share(0, 0) is None
    counts = {"able_willing": 4, "employed": 3, "poor_townships": 12, "service_points": 12}
    [employment, entrepreneurship, *_, points] = goals(counts, {"able_willing": 4, "employed": 1})
    assert (employment["numerator"], employment["denominator"], employment["share"]) == (3, 4, 0.75)
    assert employment["change"] == {"numerator": 2, "denominator": 0}
    assert entrepreneurship["share"] is None and points["share"] == 1.0
    assert all(goal["change"] is None for goal in goals(counts, None))
    assert {g.numerator for g in FIVE} | {g.denominator for g in FIVE} <= set(ALL_FIGURES)


def test_counts_add_up_to_counties_and_townships():
    total, areas = tally([("registered", "152222105", 2), ("registered", "152222", 1),
                          ("registered", "152221101", 1), ("employed", "152222105", 1)])
    assert total == {"registered": 4, "employed": 1}
    assert areas["152222"] == {"registered": 3, "employed": 1} and areas["152222105"]["registered"] == 2
    assert areas["152221"] == {"registered": 1} and "152222000" not in areas


def test_the_fifth_goal_counts_the_sumu_towns_and_townships_of_the_poor_counties():
    assert poor_counties() == ("152202", "152221", "152222", "152223", "152224")
    assert len(poor_townships()) == 52
    assert counted("152222105") and counted("152222200")  # a town, a sumu
    assert not counted("152222400")  # a pasture farm
    assert not counted("152202001")  # a subdistrict of Arxan
    assert not counted("152201100")  # a town of Ulanhot, which left the poor list in 2018


def _area(code: str, name: str) -> dict:
    figures = {figure: {"value": 1, "change": None} for figure in ALL_FIGURES}
    return {"code": code, "name": name, "level": "county", "goals": goals({"able_willing": 2, "employed": 1}, None),
            "figures": figures, "target": {"year": 2026, "target": 4, "placed": 1, "share": 0.25}, "townships": []}


def test_the_workbook_holds_values_and_no_formula_even_from_hostile_names():
    hostile = _area("152299", "=HYPERLINK(\"http://x\",\"点我\")")
    report = {"month": "2026-11", "frozen": True, "as_of": "2026-11-30", "total": _area("1522", "兴安盟"),
              "counties": [hostile, _area("152298", "-2+3")]}
    book = load_workbook(io.BytesIO(workbook(report)))
    assert len(book.sheetnames) == 3 and book.sheetnames[0] == "汇总"
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert "'=HYPERLINK(\"http://x\",\"点我\")" in texts and "'-2+3" in texts
    summary = [[cell.value for cell in row] for row in book["汇总"].iter_rows(min_row=4)]
    assert summary[-1][1] == "合计" and summary[0][4] == 0.5
