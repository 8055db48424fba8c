"""Who each figure counts at a cut, written once as SQL: the live report counts these, a frozen month stores them,
and the list behind a figure is the same condition, so a figure always equals the length of its list."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.placements.models import Placement
from services.workers.profiles.models import WorkerProfile
from services.workers.reports.cut import Cut
from services.workers.reports.months import birth_bounds
from services.workers.service_points.models import ServicePoint
from services.workers.service_points.places import poor_townships
from services.workers.service_points.service import standing_at as point_standing_at
from services.workers.startup_support.models import StartupSupport
from services.workers.startup_support.service import standing_at as support_standing_at
from services.workers.training.models import SUBSIDISED_HOURS, TrainingRecord

# The residents' basic pension takes people from 16; at 60 they draw it instead of paying in.
PENSION_AGES = (16, 59)


def _in_work(cut: Cut, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """A placement recorded before the cut that had begun on the day and had not ended by it."""
    return WorkerProfile.id.in_(select(Placement.worker_id).where(
        Placement.created_at < cut.recorded_by, Placement.start_date <= cut.day,
        or_(Placement.ended_on.is_(None), Placement.ended_on > cut.day), *conditions))


def _trained(cut: Cut, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return WorkerProfile.id.in_(select(TrainingRecord.worker_id).where(
        TrainingRecord.created_at < cut.recorded_by, TrainingRecord.start_on <= cut.day, *conditions))


def _startup(cut: Cut, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return WorkerProfile.id.in_(select(StartupSupport.worker_id).where(support_standing_at(cut.recorded_by),
                                                                        condition))


def _on_or_before(column, day) -> ColumnElement[bool]:
    return and_(column.is_not(None), column <= day)


def _able_willing(cut: Cut) -> ColumnElement[bool]:
    # Willing: any transfer intention, or a job already taken (taking one shows the wish to work).
    return and_(WorkerProfile.labor_capacity != "none",
                or_(WorkerProfile.transfer_intention != "none", _in_work(cut)))


def _entrepreneurship_wish(cut: Cut) -> ColumnElement[bool]:
    # The plan counts those who wish to start a business and those who already have.
    return or_(WorkerProfile.wants_entrepreneurship.is_(True),
               _startup(cut, _on_or_before(StartupSupport.registered_on, cut.day)))


def _training_wish(cut: Cut) -> ColumnElement[bool]:
    return or_(WorkerProfile.wants_training.is_(True), _trained(cut))


def _pension_eligible(cut: Cut) -> ColumnElement[bool]:
    born_after, born_by = birth_bounds(cut.day, youngest=PENSION_AGES[0], oldest=PENSION_AGES[1])
    return and_(WorkerProfile.birth_date > born_after, WorkerProfile.birth_date <= born_by)


def _corrections(cut: Cut) -> ColumnElement[bool]:
    """Records made in the cut's month about an earlier month."""
    begins, first = cut.month.begins, cut.month.first_day
    made = (begins, cut.recorded_by)
    return or_(
        WorkerProfile.id.in_(select(Placement.worker_id).where(Placement.created_at >= made[0],
                                                               Placement.created_at < made[1],
                                                               Placement.start_date < first)),
        WorkerProfile.id.in_(select(TrainingRecord.worker_id).where(TrainingRecord.created_at >= made[0],
                                                                    TrainingRecord.created_at < made[1],
                                                                    TrainingRecord.start_on < first)),
        WorkerProfile.id.in_(select(StartupSupport.worker_id).where(StartupSupport.created_at >= made[0],
                                                                    StartupSupport.created_at < made[1],
                                                                    StartupSupport.late.is_(True))))


_CONDITIONS: dict[str, Callable[[Cut], ColumnElement[bool]]] = {
    "registered": lambda cut: true(),
    "transfer_intention": lambda cut: WorkerProfile.transfer_intention != "none",
    "placed": lambda cut: _in_work(cut),
    "placed_export": lambda cut: _in_work(cut, Placement.organised_export.is_(True)),
    "subsidy_eligible": lambda cut: _in_work(cut, Placement.subsidy_eligible.is_(True)),
    "placed_in_year": lambda cut: WorkerProfile.id.in_(select(Placement.worker_id).where(
        Placement.created_at < cut.recorded_by, Placement.start_date >= cut.year_start,
        Placement.start_date <= cut.day)),
    "able_willing": _able_willing,
    "employed": lambda cut: and_(_able_willing(cut), _in_work(cut)),
    "entrepreneurship_wish": _entrepreneurship_wish,
    "entrepreneurship_supported": lambda cut: and_(_entrepreneurship_wish(cut), _startup(cut, or_(
        _on_or_before(StartupSupport.guidance_on, cut.day), _on_or_before(StartupSupport.training_on, cut.day),
        _on_or_before(StartupSupport.registered_on, cut.day)))),
    "training_wish": _training_wish,
    "trained": lambda cut: and_(_training_wish(cut), _trained(cut, TrainingRecord.hours >= SUBSIDISED_HOURS)),
    "pension_eligible": _pension_eligible,
    "pension_insured": lambda cut: and_(_pension_eligible(cut), WorkerProfile.pension_insured.is_(True)),
    "corrections": _corrections,
}


def worker_condition(figure: str, cut: Cut) -> ColumnElement[bool]:
    """The WHERE clause of the profiles a worker figure counts at the cut (registered by then included)."""
    return and_(WorkerProfile.created_at < cut.recorded_by, _CONDITIONS[figure](cut))


async def township_members(session: AsyncSession, cut: Cut) -> dict[str, list[str]]:
    """Township figure → the township codes it counts at the cut (the poor counties' 苏木乡镇 only)."""
    poor = [t.code for t in poor_townships()]
    with_point = set(await session.scalars(select(ServicePoint.township_code).where(
        point_standing_at(cut.recorded_by), ServicePoint.established_on <= cut.day)))
    late = set(await session.scalars(select(ServicePoint.township_code).where(
        ServicePoint.created_at >= cut.month.begins, ServicePoint.created_at < cut.recorded_by,
        ServicePoint.late.is_(True))))
    return {"poor_townships": poor, "service_points": [code for code in poor if code in with_point],
            "point_corrections": [code for code in poor if code in late]}
