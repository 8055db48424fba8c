"""Placement rules as pure functions."""

from __future__ import annotations

from dataclasses import dataclass

from shared.reference.regions import county_of


@dataclass(frozen=True)
class SubsidyDecision:
    """Whether the one-time job-seeking subsidy is due, and the rule that decided it (a stable code and its words)."""

    eligible: bool
    rule: str
    reason: str


RULES = {
    "export_outside_home_county": (True, "有组织劳务输出到户籍所在旗县以外就业，可享一次性求职创业补贴"),
    "not_organised_export": (False, "不是有组织劳务输出，不享受一次性求职创业补贴"),
    "inside_home_county": (False, "在户籍所在旗县内就业，不享受一次性求职创业补贴"),
}


def job_seeking_subsidy(*, organised_export: bool, home_region_code: str, work_region_code: str) -> SubsidyDecision:
    """The plan's one-time job-seeking subsidy: organised labour export to a place outside the home banner/county."""
    home, work = county_of(home_region_code), county_of(work_region_code)
    if not organised_export:
        rule = "not_organised_export"
    elif home is not None and work is not None and work.code == home.code:
        rule = "inside_home_county"
    else:
        rule = "export_outside_home_county"
    eligible, reason = RULES[rule]
    return SubsidyDecision(eligible=eligible, rule=rule, reason=reason)


def works_within(work_region_code: str, posting_region_code: str) -> bool:
    """The place of work is the posting's region or a place inside it (a township of its county)."""
    return work_region_code.startswith(posting_region_code)
