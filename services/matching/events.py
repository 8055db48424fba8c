"""The events matching publishes, by type name. Their payloads are built where they happen (recommendations/service.py,
runs/service.py); what matching consumes from other services is named in consumers.py.

- `matching.recommendations.issued`: a worker's offers were issued (notify sends them);
- `matching.shortfall.detected`: a worker has fewer than three offers, and why (published for whoever binds to it);
- `matching.run.item_requested` / `matching.run.ranked`: a batch run's own work items, consumed by matching itself so
  that a run is spread over every consumer process and survives a restart.
"""

from __future__ import annotations

RECOMMENDATIONS_ISSUED = "matching.recommendations.issued"
SHORTFALL_DETECTED = "matching.shortfall.detected"
RUN_ITEM_REQUESTED = "matching.run.item_requested"
RUN_RANKED = "matching.run.ranked"
