"""The hard constraints: which postings are offered at all, and which of them one worker may be offered.

Never relaxed. Whether a posting is offered at all (open, openings left, not expired, paying at least the minimum
wage of its place) is decided once when the index is built; what depends on the worker (age, gender, certificates,
reach) is checked over numpy arrays of every posting, or of a worker's candidates.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np

from services.matching.ranking.certificates import certificate_key
from services.matching.ranking.geo import point_of, unit_vectors
from services.matching.ranking.model import PostingView
from services.matching.ranking.seekers import GENDER_CODES, Seeker
from shared.reference.regions import in_league
from shared.reference.wages import minimum_wage

# The order in which a posting's failed constraints are told to staff (the first one failed is named).
AGE, GENDER, CERTIFICATE, REACH = "age", "gender", "certificate", "reach"


def minimum_wage_floor(region_code: str, on: date, cache: dict[str, int]) -> int:
    """The monthly floor where the posting is; 0 when no figure is known (the jobs service checks the region)."""
    if region_code not in cache:
        floor = minimum_wage(region_code, on)
        cache[region_code] = floor.monthly_cny if floor is not None else 0
    return cache[region_code]


def is_offered(posting: PostingView, today: date, floors: dict[str, int]) -> bool:
    """Tell whether a posting may be offered to anyone on `today`."""
    return (
        posting.status == "open"
        and posting.headcount > 0
        and posting.valid_until >= today
        and posting.wage_min >= minimum_wage_floor(posting.region_code, today, floors)
    )


@dataclass(frozen=True)
class HardConstraints:
    """Arrays of what the worker-dependent constraints read, one entry per offered posting."""

    age_min: np.ndarray
    age_max: np.ndarray
    gender: np.ndarray  # 0 either, 1 male only, 2 female only
    # age_min as a worker of each gender code sees it: a posting closed to that gender gets an age no one has, so
    # the gender rule costs nothing beyond the age check.
    age_min_for: tuple[np.ndarray, ...]
    certificates: np.ndarray  # (n, words) uint64 bitmask of required certificate keys
    needs_certificate: np.ndarray
    certificate_bits: dict[str, int]
    points: np.ndarray  # (n, 3) unit vectors
    in_league: np.ndarray
    near_home_km: float

    @classmethod
    def build(cls, postings: list[PostingView], *, near_home_km: float) -> HardConstraints:
        required = [{certificate_key(c) for c in p.certificates if c and c.strip()} for p in postings]
        # Most-required first, so the common certificates share the first word of the mask.
        counts = Counter(key for keys in required for key in keys)
        bits = {key: n for n, (key, _) in enumerate(counts.most_common())}
        words = max(1, -(-len(bits) // 64))
        masks = np.zeros((len(postings), words), dtype=np.uint64)
        for row, keys in enumerate(required):
            for key in keys:
                masks[row, bits[key] // 64] |= np.uint64(1 << (bits[key] % 64))
        points = [point_of(p.region_code, p.lon, p.lat) for p in postings]
        lon = np.array([pt[0] for pt in points], dtype=np.float64)
        lat = np.array([pt[1] for pt in points], dtype=np.float64)
        age_min = np.array([p.age_min if p.age_min is not None else 16 for p in postings], dtype=np.int16)
        age_max = np.array([p.age_max if p.age_max is not None else 200 for p in postings], dtype=np.int16)
        gender = np.array([GENDER_CODES.get((p.gender or "").strip().lower(), 0) for p in postings], dtype=np.int8)
        never = np.int16(999)
        return cls(
            age_min=age_min,
            age_max=age_max,
            gender=gender,
            age_min_for=tuple(np.where((gender == 0) | ((gender == g) & (g > 0)), age_min, never)
                              for g in (0, 1, 2)),
            certificates=masks,
            needs_certificate=masks.any(axis=1),  # type: ignore[arg-type]  # any(axis=1) of a 2-d array is an array
            certificate_bits=bits,
            points=unit_vectors(lon, lat) if postings else np.zeros((0, 3)),
            in_league=np.array([in_league(p.region_code) for p in postings], dtype=bool),
            near_home_km=near_home_km,
        )

    def held_mask(self, seeker: Seeker) -> np.ndarray:
        """The seeker's certificates as a bitmask over the keys some posting requires."""
        held = np.zeros(self.certificates.shape[1], dtype=np.uint64)
        for key in seeker.certificates:
            if (bit := self.certificate_bits.get(key)) is not None:
                held[bit // 64] |= np.uint64(1 << (bit % 64))
        return held

    def passing(self, seeker: Seeker, rows: np.ndarray | None, near: np.ndarray, held: np.ndarray) -> np.ndarray:
        """Positions in `rows` (every posting when None) of the postings the worker may be offered.

        `near` is the half-hour-circle mask over every posting for the worker's township (the ranker caches it).
        Reach is checked first: for most workers it leaves the fewest rows for the other checks.
        """
        all_rows = rows is None
        if all_rows:
            rows = np.arange(len(self.age_min), dtype=np.int32)
        reach = self.reach_mask(seeker, near)
        # `all_rows` stands for `rows is None`, which mypy cannot follow: rows is set above.
        keep = np.arange(len(rows)) if reach is None else np.flatnonzero(reach[rows])  # type: ignore[arg-type]
        return keep[self.eligible(seeker, rows[keep], held)]  # type: ignore[index]

    def eligible(self, seeker: Seeker, rows: np.ndarray, held: np.ndarray) -> np.ndarray:
        """Positions in `rows` whose age, gender and certificate rules the worker meets (reach checked elsewhere)."""
        age = seeker.worker.age
        ok = (self.age_min_for[seeker.gender][rows] <= age) & (self.age_max[rows] >= age)
        needs = self.needs_certificate[rows]
        if needs.any():
            idx = np.flatnonzero(needs)
            missing = self.certificates[rows[idx]] & ~held
            lacking = missing.any(axis=1) if missing.shape[1] > 1 else missing[:, 0] != 0
            ok[idx[lacking]] = False
        return np.flatnonzero(ok)

    def reach_mask(self, seeker: Seeker, near: np.ndarray) -> np.ndarray | None:
        """Over every posting, those within the reach of the worker's intention (None: all of them)."""
        intention = seeker.intention
        if intention == "anywhere":
            return None
        if intention == "league":
            return self.in_league
        # near_home, none, and anything unknown: the half-hour circle, the narrowest reach.
        return near

    def failures(self, seeker: Seeker, rows: np.ndarray, near: np.ndarray) -> list[str]:
        """For each row, the first hard constraint it breaks for this seeker ("" when none): for shortfall reasons."""
        held = self.held_mask(seeker)
        age = seeker.worker.age
        reach = self.reach_mask(seeker, near)
        checks = (
            (AGE, (self.age_min[rows] <= age) & (self.age_max[rows] >= age)),
            (GENDER, (self.gender[rows] == 0) | (self.gender[rows] == seeker.gender)),
            (CERTIFICATE, ~(self.certificates[rows] & ~held).any(axis=1)),
            (REACH, np.ones(len(rows), dtype=bool) if reach is None else reach[rows]),
        )
        out = [""] * len(rows)
        for name, passed in reversed(checks):  # the earliest failed check wins
            for i in np.flatnonzero(~passed):
                out[i] = name
        return out

    def missing_certificates(self, seeker: Seeker, row: int) -> list[str]:
        held = self.held_mask(seeker)
        missing = self.certificates[row] & ~held
        return [key for key, bit in self.certificate_bits.items()
                if int(missing[bit // 64]) >> (bit % 64) & 1]
