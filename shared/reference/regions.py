"""Places served (Xing'an League down to its townships, Beijing and its districts) and the distances between them."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Level = Literal["province", "prefecture", "county", "township"]

LEAGUE_CODE = "152200"
BEIJING_CODE = "110000"
# Mean earth radius (IUGG); the GCJ-02 offset of a few hundred metres dwarfs any choice of radius.
EARTH_RADIUS_KM = 6371.0088

# How the township file says a coordinate was obtained, in words a reader of a recommendation understands.
_TOWNSHIP_COORDINATE_SOURCES = {"vonng_town_center": "township point"}


@dataclass(frozen=True)
class Region:
    """An administrative unit with the point distances are measured from."""

    code: str
    name: str
    short_name: str
    level: Level
    parent_code: str | None
    county_code: str | None
    lon: float
    lat: float
    coordinate_source: str


def _read(filename: str) -> list[dict[str, str]]:
    # Every Traversable passes newline on to its file; typeshed lists only encoding and errors.
    with (resources.files(__package__) / "data" / filename).open(encoding="utf-8", newline="") as handle:  # type: ignore[call-overload]
        return list(csv.DictReader(handle))


def _level_of_county_unit(code: str) -> Level:
    if code.endswith("0000"):
        return "province"
    return "prefecture" if code.endswith("00") else "county"


def _county_unit(row: dict[str, str]) -> Region:
    code = row["adcode"]
    level = _level_of_county_unit(code)
    return Region(
        code=code,
        name=row["name"],
        short_name=row["short_name"],
        level=level,
        parent_code=row["parent_adcode"] or None,
        county_code=code if level == "county" else None,
        lon=float(row["lon_gcj02"]),
        lat=float(row["lat_gcj02"]),
        coordinate_source="county seat" if level == "county" else "seat of government",
    )


def _township(row: dict[str, str], county: Region) -> Region:
    if row["lon_gcj02"] and row["lat_gcj02"]:
        lon, lat = float(row["lon_gcj02"]), float(row["lat_gcj02"])
        raw_source = row["coord_source"]
        # "median_of_17_village_points" -> "median of 17 village points"
        source = _TOWNSHIP_COORDINATE_SOURCES.get(raw_source, raw_source.replace("_", " "))
    else:
        # A third of the townships have no point of their own; the county seat is the best stand-in we have,
        # and saying so lets callers discount "near home" claims for them.
        lon, lat, source = county.lon, county.lat, "county seat (no township point known)"
    return Region(
        code=row["town_code"],
        name=row["name"],
        short_name=row["name"],
        level="township",
        parent_code=county.code,
        county_code=county.code,
        lon=lon,
        lat=lat,
        coordinate_source=source,
    )


@cache
def _regions() -> dict[str, Region]:
    regions = {row["adcode"]: _county_unit(row) for row in _read("county_units_xingan_beijing.csv")}
    for row in _read("xingan_townships.csv"):
        township = _township(row, regions[row["county_adcode"]])
        regions[township.code] = township
    return dict(sorted(regions.items()))


def get_region(code: str) -> Region | None:
    """Return the region with this adcode (6 digits, or 9 for a township), or None if it is not known."""
    return _regions().get(code)


def is_known(code: str) -> bool:
    """Tell whether the code names a region of the reference data."""
    return code in _regions()


def regions_under(prefix: str) -> list[Region]:
    """Return every known region whose code starts with prefix, ordered by code (the region itself included)."""
    return [region for code, region in _regions().items() if code.startswith(prefix)]


def townships(county_code: str | None = None) -> list[Region]:
    """Return the League's townships, or only those of one county unit, ordered by code."""
    return [
        region
        for region in _regions().values()
        if region.level == "township" and (county_code is None or region.county_code == county_code)
    ]


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the great-circle distance in kilometres between two points given longitude first."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def distance_km(code_a: str, code_b: str) -> float:
    """Return the straight-line distance between two known regions; raise KeyError for an unknown code."""
    regions = _regions()
    a, b = regions[code_a], regions[code_b]
    return haversine_km(a.lon, a.lat, b.lon, b.lat)


def in_league(code: str) -> bool:
    """Tell whether the code lies in Xing'an League; village codes count too, so the code need not be known."""
    return code.isdigit() and code.startswith(LEAGUE_CODE[:4])


def in_beijing(code: str) -> bool:
    """Tell whether the code lies in Beijing; the code need not be known."""
    return code.isdigit() and code.startswith(BEIJING_CODE[:2])


def county_of(code: str) -> Region | None:
    """Return the county-level unit containing the code (itself for a county), or None above county level."""
    county = _regions().get(code[:6])
    return county if county is not None and county.level == "county" else None
