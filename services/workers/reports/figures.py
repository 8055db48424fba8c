"""The figures of the ledger report, their Chinese labels, and the pure arithmetic over their counts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, get_args

WorkerFigure = Literal[
    "registered", "transfer_intention", "placed", "placed_export", "subsidy_eligible", "placed_in_year",
    "able_willing", "employed", "entrepreneurship_wish", "entrepreneurship_supported", "training_wish", "trained",
    "pension_eligible", "pension_insured", "corrections"]
TownshipFigure = Literal["poor_townships", "service_points", "point_corrections"]
MonthlyFigure = Literal[WorkerFigure, TownshipFigure]
WORKER_FIGURES: tuple[WorkerFigure, ...] = get_args(WorkerFigure)
TOWNSHIP_FIGURES: tuple[TownshipFigure, ...] = get_args(TownshipFigure)
ALL_FIGURES: tuple[str, ...] = WORKER_FIGURES + TOWNSHIP_FIGURES

LABELS: dict[str, str] = {
    "registered": "登记人数", "transfer_intention": "有转移就业意向", "placed": "在岗人数",
    "placed_export": "有组织输出在岗", "subsidy_eligible": "可享求职补贴", "placed_in_year": "本年实现就业",
    "able_willing": "有劳动能力和就业愿望", "employed": "已就业",
    "entrepreneurship_wish": "有创业意愿或已创业", "entrepreneurship_supported": "接受创业指导培训扶持",
    "training_wish": "有培训意愿", "trained": "参加补贴培训",
    "pension_eligible": "符合参保条件（16–59岁）", "pension_insured": "已参加居民养老保险",
    "poor_townships": "贫困旗县苏木乡镇", "service_points": "有标准化服务平台",
    "corrections": "补录更正（人）", "point_corrections": "补录更正（服务平台）",
}


@dataclass(frozen=True)
class Goal:
    """One of the plan's five 100 % goals: a share of `numerator` over `denominator`."""

    key: str
    label: str
    denominator: str
    numerator: str


FIVE = (
    Goal("employment", "有劳动能力和就业愿望的实现就业", "able_willing", "employed"),
    Goal("entrepreneurship", "有创业意愿的接受创业指导、培训和扶持", "entrepreneurship_wish", "entrepreneurship_supported"),
    Goal("training", "有培训意愿的参加政府补贴培训", "training_wish", "trained"),
    Goal("pension", "符合条件的纳入城乡居民基本养老保险", "pension_eligible", "pension_insured"),
    Goal("service_points", "贫困旗县苏木乡镇社保就业服务平台达标", "poor_townships", "service_points"),
)

Counts = dict[str, int]


def share(numerator: int, denominator: int) -> float | None:
    """numerator / denominator to four places; None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


def areas_of(region_code: str) -> list[str]:
    """The county and township (when the home names one) a record of this home counts in."""
    return [region_code[:n] for n in (6, 9) if len(region_code) >= n]


def tally(rows: Iterable[tuple[str, str, int]]) -> tuple[Counts, dict[str, Counts]]:
    """(figure, home region code, count) rows → the total per figure, and per county and township code."""
    total: Counts = {}
    areas: dict[str, Counts] = {}
    for figure, region_code, count in rows:
        total[figure] = total.get(figure, 0) + count
        for area in areas_of(region_code):
            figures = areas.setdefault(area, {})
            figures[figure] = figures.get(figure, 0) + count
    return total, areas


def goals(counts: Mapping[str, int], before: Mapping[str, int] | None) -> list[dict]:
    """The five goals of an area: numerator, denominator, share and the change since the month before."""
    out = []
    for goal in FIVE:
        numerator, denominator = counts.get(goal.numerator, 0), counts.get(goal.denominator, 0)
        change = None if before is None else {
            "numerator": numerator - before.get(goal.numerator, 0),
            "denominator": denominator - before.get(goal.denominator, 0)}
        out.append({"key": goal.key, "label": goal.label, "numerator_figure": goal.numerator,
                    "denominator_figure": goal.denominator, "numerator": numerator, "denominator": denominator,
                    "share": share(numerator, denominator), "change": change})
    return out
