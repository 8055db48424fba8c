"""HTTP routes of a worker's training records (the worker's station staff, admin)."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.workers.deps import ClockDep, SessionDep, StaffOrAdmin
from services.workers.training import service
from services.workers.training.schemas import TrainingIn, TrainingOut

router = APIRouter(prefix="/workers/profiles/{worker_id}/training", tags=["training"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TrainingOut)
async def record_training(worker_id: str, body: TrainingIn, session: SessionDep, clock: ClockDep,
                          by: StaffOrAdmin) -> dict:
    row = await service.record(session=session, worker_id=worker_id, fields=body.model_dump(), by=by, clock=clock)
    return service.present(row)


@router.get("", response_model=list[TrainingOut])
async def list_training(worker_id: str, session: SessionDep, by: StaffOrAdmin) -> list[dict]:
    return [service.present(r) for r in await service.for_worker(session=session, worker_id=worker_id, by=by)]


@router.delete("/{record_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_training(worker_id: str, record_id: str, session: SessionDep, by: StaffOrAdmin) -> None:
    await service.remove(session=session, worker_id=worker_id, record_id=record_id, by=by)
