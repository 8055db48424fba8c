"""Workers' answer to "who lives where" as jobs sees it (its own `Labourers` port), in memory for tests of jobs alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class FakeLabourers:
    """Registered labourers by id, with their home region code."""

    homes: dict[str, str] = field(default_factory=dict)

    def register(self, *worker_ids: str, home: str = "152222105") -> None:
        for worker_id in worker_ids:
            self.homes[worker_id.lower()] = home

    async def inside(self, worker_ids: Sequence[str], region: str) -> set[str]:
        return {w for w in worker_ids if w.lower() in self.homes and self.homes[w.lower()].startswith(region)}
