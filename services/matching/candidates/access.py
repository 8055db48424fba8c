"""Who may see a posting's candidates and decide about them."""

from __future__ import annotations

from services.matching.readmodels.models import PostingRecord
from shared.auth import Principal, Role


def may_see(record: PostingRecord, by: Principal) -> bool:
    """The owning employer, the office whose supply list holds the posting, or admin."""
    return by.is_admin or (by.role is Role.employer and record.employer_id == by.employer_id) or (
        by.role is Role.partner_office and record.supply_list_office_id is not None
        and record.supply_list_office_id == by.office_id)
