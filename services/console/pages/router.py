"""Every page of the console but sign-in and account administration, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from services.console.pages import (
    courses,
    fairs,
    followups,
    home,
    offices,
    operations,
    replies,
    reports,
    runs,
    workers,
    workshops,
)

router = APIRouter(tags=["console"])
for part in (home.router, workers.router, runs.router, replies.router, followups.router, courses.router,
             workshops.router, fairs.router, reports.router, offices.router, operations.router):
    router.include_router(part)
