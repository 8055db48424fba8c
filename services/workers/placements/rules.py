"""Placement rules as pure functions."""

from __future__ import annotations

from shared.reference.regions import county_of


def subsidy_eligible(*, organised_export: bool, home_region_code: str, work_region_code: str) -> bool:
    """The plan's one-time job-seeking subsidy: organised labour export to a place outside the home banner/county."""
    home, work = county_of(home_region_code), county_of(work_region_code)
    return organised_export and home is not None and (work is None or work.code != home.code)
