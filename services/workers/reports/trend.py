"""The trend of the ledger: each month's five goals and placement target for one area, from the months' frozen
snapshots (a month that is over and not frozen yet is frozen on this read, as its report would) and the current
month so far."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.reports import monthly, snapshots
from services.workers.reports.months import FIRST_MONTH, Month, months_from
from services.workers.reports.service import LEAGUE_PREFIX, region_name, scope_of
from shared.auth import Principal
from shared.clock import Clock, local_today
from shared.errors import Invalid, NotFound
from shared.reference.regions import get_region

# The most months one trend shows (each one over is read, or frozen, from its snapshot).
MOST_MONTHS = 36
# The months shown when none are asked for: the year up to this month.
DEFAULT_MONTHS = 12


def months_asked(first_text: str | None, last_text: str | None, *, clock: Clock) -> list[Month]:
    """The months of a request, `from` to `to`: by default the twelve up to this month (none before the plan's
    first)."""
    last = snapshots.month_asked(last_text, clock=clock, field="to") if last_text else Month.of(local_today(clock))
    if first_text:
        first = snapshots.month_asked(first_text, clock=clock, field="from")
    else:
        first = last
        for _ in range(DEFAULT_MONTHS - 1):
            if str(first) == FIRST_MONTH:
                break
            first = first.previous()
    if first > last:
        raise Invalid(f"from {first} is after to {last}", field="from", zh="起始月份不能晚于截止月份")
    months = months_from(first, last)
    if len(months) > MOST_MONTHS:
        raise Invalid(f"at most {MOST_MONTHS} months at once", field="from", zh=f"一次最多看{MOST_MONTHS}个月")
    return months


def _known(prefix: str) -> bool:
    return prefix == LEAGUE_PREFIX or (prefix.startswith(LEAGUE_PREFIX) and get_region(prefix) is not None)


async def trend(*, session: AsyncSession, by: Principal, region: str | None, first_text: str | None,
                last_text: str | None, clock: Clock) -> dict:
    """The area's figures month by month: the five goals and the placement target, as each month's report shows
    them for the whole area."""
    prefix = scope_of(by=by, region=region)
    if not _known(prefix):
        raise NotFound(f"no area {prefix} in the League", zh="没有这个地区")
    months = months_asked(first_text, last_text, clock=clock)
    rows = []
    for month in months:
        area = await monthly.month_total(session, month, prefix, clock=clock)
        rows.append({"month": area["month"], "frozen": area["frozen"], "as_of": area["as_of"],
                     "goals": area["goals"], "placed": area["figures"]["placed"]["value"],
                     "placed_in_year": area["figures"]["placed_in_year"]["value"], "target": area["target"]})
    return {"region": prefix, "name": region_name(prefix), "level": monthly.level_of(prefix),
            "from": str(months[0]), "to": str(months[-1]), "months": rows}
