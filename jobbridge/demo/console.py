"""Demonstration accounts for `make run`: one per role, made once, printed with the tokens at every start."""

from __future__ import annotations

from services.console.accounts import service as accounts
from shared.runtime import ServiceUnit

PASSWORD = "xingan-demo-2026"


def demo_accounts(*, staff_region: str, office_id: str) -> list[dict[str, str]]:
    return [
        {"username": "admin", "display_name": "盟人社局管理员", "role": "admin", "phone": "0482-8261234"},
        {"username": "station", "display_name": "就业服务站", "role": "station_staff", "region": staff_region,
         "phone": "0482-4112345"},
        {"username": "office", "display_name": "丰台区劳务协作办", "role": "partner_office", "office_id": office_id,
         "phone": "010-63812345"},
    ]


async def ensure(unit: ServiceUnit, *, staff_region: str, office_id: str) -> list[dict[str, str]]:
    """Create the accounts that do not exist yet; return every one with its password, for printing."""
    wanted = demo_accounts(staff_region=staff_region, office_id=office_id)
    async with unit.database.transaction() as session:
        for fields in wanted:
            if await accounts.by_username(session=session, username=fields["username"]) is None:
                await accounts.create(session=session, clock=unit.clock, by="demo", password=PASSWORD, **fields)
    return [{**fields, "password": PASSWORD} for fields in wanted]
