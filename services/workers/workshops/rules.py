"""The workshop subsidy condition as pure functions: which labourers count on a day, and whether the workshop
meets the condition (at least five registered labourers on contracts of at least six months, paid at least the
local minimum wage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shared.clock import add_months

HEADCOUNT = 5
CONTRACT_MONTHS = 6


class Kind(StrEnum):
    poverty_workshop = "扶贫车间"
    community_factory = "社区工厂"
    satellite_factory = "卫星工厂"
    employment_station = "就业驿站"
    employment_base = "就业扶贫基地"


@dataclass(frozen=True)
class Contract:
    """A labourer's contract with the workshop, as recorded."""

    worker_id: str
    contract_start: date
    contract_months: int
    monthly_wage: int
    left_on: date | None


@dataclass(frozen=True)
class LabourerCheck:
    worker_id: str
    counts: bool
    reasons: tuple[str, ...]  # why not, in short Chinese; ("符合条件",) when the labourer counts


@dataclass(frozen=True)
class WorkshopCheck:
    on: date
    minimum_wage: int | None
    counting: int
    needed: int
    met: bool
    missing: tuple[str, ...]
    labourers: tuple[LabourerCheck, ...]


def contract_end(contract: Contract) -> date:
    """The first day after the contract: a contract of 6 months from 1 March runs to 31 August."""
    return add_months(contract.contract_start, contract.contract_months)


def check_labourer(contract: Contract, *, on: date, minimum_wage: int | None) -> LabourerCheck:
    """Whether the labourer counts on `on`: in the workshop under a contract in force (begun, not run out, not left;
    a labourer who left on the day itself no longer counts), of at least six months, at or above the minimum wage."""
    reasons = []
    if contract.left_on is not None and contract.left_on <= on:
        reasons.append(f"已于{contract.left_on.isoformat()}离开车间")
    elif contract.contract_start > on:
        reasons.append(f"合同{contract.contract_start.isoformat()}才开始")
    elif contract_end(contract) <= on:
        reasons.append(f"合同已于{contract_end(contract).isoformat()}到期")
    if contract.contract_months < CONTRACT_MONTHS:
        reasons.append(f"合同期{contract.contract_months}个月，不足{CONTRACT_MONTHS}个月")
    if minimum_wage is None:
        reasons.append("不知道当地的最低工资标准")
    elif contract.monthly_wage < minimum_wage:
        reasons.append(f"月工资{contract.monthly_wage}元，低于当地最低工资{minimum_wage}元")
    return LabourerCheck(worker_id=contract.worker_id, counts=not reasons, reasons=tuple(reasons) or ("符合条件",))


def check_workshop(contracts: list[Contract], *, on: date, minimum_wage: int | None) -> WorkshopCheck:
    """The condition on `on`, with every labourer and why they do or do not count, and what the workshop lacks."""
    checks = tuple(check_labourer(c, on=on, minimum_wage=minimum_wage) for c in contracts)
    counting = sum(1 for c in checks if c.counts)
    missing = () if counting >= HEADCOUNT else (f"还差{HEADCOUNT - counting}名符合条件的劳动力",)
    return WorkshopCheck(on=on, minimum_wage=minimum_wage, counting=counting, needed=HEADCOUNT,
                         met=counting >= HEADCOUNT, missing=missing, labourers=checks)
