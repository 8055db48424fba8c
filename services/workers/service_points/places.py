"""Which townships the fifth figure counts: the sumu, towns and townships of the League's poor counties.

The poor counties are read from poor_counties.csv beside this module (docs/domain.md says where the list comes
from); the township kinds from the reference table of townships. Subdistricts (街道) and farms, parks and prisons are not 苏木乡镇.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from shared.reference.regions import Region, get_region

TOWNSHIP_KINDS = frozenset({"苏木", "镇", "乡", "民族乡"})


@cache
def poor_counties() -> tuple[str, ...]:
    """The adcodes of the League's poor counties."""
    with (resources.files(__package__) / "poor_counties.csv").open(encoding="utf-8") as handle:
        return tuple(row["adcode"] for row in csv.DictReader(handle))


@cache
def _township_kinds() -> dict[str, str]:
    data = resources.files("shared.reference") / "data" / "xingan_townships.csv"
    with data.open(encoding="utf-8") as handle:
        return {row["town_code"]: row["kind"] for row in csv.DictReader(handle)}


@cache
def poor_townships() -> tuple[Region, ...]:
    """The townships whose service points the fifth figure counts, ordered by code."""
    found = []
    for code, kind in sorted(_township_kinds().items()):
        region = get_region(code)
        if region is not None and kind in TOWNSHIP_KINDS and region.county_code in poor_counties():
            found.append(region)
    return tuple(found)


def is_township(code: str) -> bool:
    """Whether the code names a township-level unit of the League (any kind)."""
    region = get_region(code)
    return region is not None and region.level == "township"


def counted(code: str) -> bool:
    """Whether the township counts in the fifth figure."""
    return any(t.code == code for t in poor_townships())
