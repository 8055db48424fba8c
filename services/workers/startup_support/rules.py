"""The one-time start-up subsidy condition as a pure function: a registered business operating for six full months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.clock import add_months

OPERATING_MONTHS = 6


@dataclass(frozen=True)
class StartupSubsidy:
    """Whether the condition holds on `on`, what is missing when it does not, and the day it is (or will be) met."""

    on: date
    eligible: bool
    missing: tuple[str, ...]
    met_from: date | None


def startup_subsidy(*, registered_on: date | None, operating_since: date | None, on: date) -> StartupSubsidy:
    """The condition on `on`: business registered by then and operating for at least six full months
    (from the day it began operating to the same day six months later, e.g. 15 May to 15 November)."""
    missing = []
    if registered_on is None or registered_on > on:
        missing.append("尚未登记注册")
    met_from = add_months(operating_since, OPERATING_MONTHS) if operating_since is not None else None
    if operating_since is None or operating_since > on:
        missing.append("尚未开始经营")
    elif met_from is not None and on < met_from:
        missing.append(f"经营未满{OPERATING_MONTHS}个月（还差{(met_from - on).days}天）")
    if met_from is not None and registered_on is not None:
        met_from = max(met_from, registered_on)
    return StartupSubsidy(on=on, eligible=not missing, missing=tuple(missing), met_from=met_from)
