"""Event payloads as the producers build them, for tests that publish an event by hand: each is its contract's
model, so a payload a consumer would refuse cannot creep into a test."""

from __future__ import annotations

from datetime import date

from shared.contracts.workers import Consent, PlacementFacts, WorkerSnapshot


def worker_snapshot(*, status: str = "seeking", home_region_code: str = "152222105",
                    transfer_intention: str = "anywhere", share: bool = True,
                    placement: PlacementFacts | None = None) -> dict:
    """A labourer's profile event data (a woman of 46 in 科右中旗 who wants work anywhere, unless told otherwise)."""
    return WorkerSnapshot(age=46, age_as_of=date(2026, 11, 28), gender="女", home_region_code=home_region_code,
                          lon=122.04, lat=44.45, transfer_intention=transfer_intention, status=status,
                          consent=Consent(sms=True, share_with_partners=share), placement=placement).data()


def placed(placement_id: str, posting_id: str) -> dict:
    """A `workers.profile.placed` event's data: the labourer took the posting."""
    return worker_snapshot(status="placed", placement=PlacementFacts(id=placement_id, posting_id=posting_id,
                                                                     start_date=date(2026, 12, 1), monthly_wage=4500))
