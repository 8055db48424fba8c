"""What the ranker reads from one worker: reach, constraints, the words for jobs, and who cannot leave home."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from services.matching.ranking.certificates import held_keys
from services.matching.ranking.geo import point_of
from services.matching.ranking.model import WorkerView

GUARANTEED_INTENTIONS = frozenset({"near_home", "league", "anywhere"})
# Those who cannot leave home (docs/domain.md, rule 4): public-welfare posts near home go to them first.
STAY_HOME_INTENTIONS = frozenset({"none", "near_home"})
LIMITED_CAPACITY = frozenset({"partial", "weak", "none"})
GENDER_CODES = {"male": 1, "m": 1, "男": 1, "female": 2, "f": 2, "女": 2}


@dataclass(frozen=True)
class Seeker:
    worker: WorkerView
    origin: tuple[float, float]  # the township point (lon, lat): distances are measured from it
    point: np.ndarray  # its unit vector
    gender: int  # 1 male, 2 female, 0 unknown (then only postings open to either gender fit)
    certificates: frozenset[str]  # keys held, driving classes covered included
    desired: tuple[str, ...]  # the words for jobs the worker wants, as staff wrote them
    skills: tuple[str, ...]  # the words for what the worker can do

    @property
    def intention(self) -> str:
        return self.worker.transfer_intention

    @property
    def guaranteed(self) -> bool:
        return self.worker.transfer_intention in GUARANTEED_INTENTIONS

    @property
    def stays_home(self) -> bool:
        return (self.worker.transfer_intention in STAY_HOME_INTENTIONS
                or self.worker.labor_capacity in LIMITED_CAPACITY)

    @property
    def limited_capacity(self) -> bool:
        return self.worker.labor_capacity in LIMITED_CAPACITY


@lru_cache(maxsize=65536)
def _words(texts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip() for t in texts if t and t.strip()))


@lru_cache(maxsize=4096)
def _unit(lon: float, lat: float) -> np.ndarray:
    lam, phi = math.radians(lon), math.radians(lat)
    return np.array((math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)))


@lru_cache(maxsize=4096)
def _held(certificates: tuple[str, ...]) -> frozenset[str]:
    return held_keys(certificates)


def seeker_of(worker: WorkerView) -> Seeker:
    """Read a worker view once for ranking."""
    lon, lat = point_of(worker.home_region_code, worker.lon, worker.lat)
    return Seeker(
        worker=worker,
        origin=(lon, lat),
        point=_unit(lon, lat),
        gender=GENDER_CODES.get((worker.gender or "").strip().lower(), 0),
        certificates=_held(tuple(worker.certificates)),
        desired=_words(tuple(worker.desired_occupations)),
        skills=_words(tuple(worker.skills)),
    )
