"""The events matching publishes, by type name; their payloads are the contracts in shared/contracts/matching.py,
built where they happen (recommendations/service.py, runs/service.py). What matching consumes from other services is
named in consumers.py.

- `matching.recommendations.issued`: a worker's offers were issued (notify sends them);
- `matching.shortfall.detected`: a worker has fewer than three offers, and why (published for whoever binds to it);
- `matching.run.item_requested` / `matching.run.ranked`: a batch run's own work items, consumed by matching itself so
  that a run is spread over every consumer process and survives a restart.
"""

from __future__ import annotations

from shared.contracts.matching import RECOMMENDATIONS_ISSUED, RUN_ITEM_REQUESTED, RUN_RANKED, SHORTFALL_DETECTED

__all__ = ["RECOMMENDATIONS_ISSUED", "RUN_ITEM_REQUESTED", "RUN_RANKED", "SHORTFALL_DETECTED"]
