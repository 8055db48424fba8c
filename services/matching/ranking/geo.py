"""Points as unit vectors, so that the distance from one worker to thousands of postings is one small matrix product."""

from __future__ import annotations

import math

import numpy as np

from shared.reference.regions import EARTH_RADIUS_KM, get_region


def point_of(region_code: str, lon: float | None, lat: float | None) -> tuple[float, float]:
    """The point given, or the reference point of the region when the view carries none."""
    if lon is not None and lat is not None and not (math.isnan(lon) or math.isnan(lat)):
        return float(lon), float(lat)
    # A posting without coordinates is placed at its region's point: the township, else the county seat, else the
    # prefecture's or province's seat.
    for code in (region_code, region_code[:6], region_code[:4] + "00", region_code[:2] + "0000"):
        if (region := get_region(code)) is not None:
            return region.lon, region.lat
    return math.nan, math.nan  # nowhere known: never within the circle (see Lanes.origin)


def unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """(n, 3) unit vectors of points given in degrees, longitude first."""
    lam, phi = np.radians(lon), np.radians(lat)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def distances_km(points: np.ndarray, origin: np.ndarray) -> np.ndarray:
    """Great-circle distances (the haversine's, to float precision) from origin to each of points, both unit vectors."""
    # The chord c between unit vectors gives the angle 2·asin(c/2); |p - q|² = 2 - 2 p·q.
    chord_sq = np.maximum(2.0 - 2.0 * (points @ origin), 0.0)
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(np.sqrt(chord_sq) / 2.0, 1.0))
