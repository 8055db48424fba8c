"""Every page of the console but sign-in and account administration, one module per area."""

from __future__ import annotations

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
from shared.routes import joined

router = joined(home.router, workers.router, runs.router, replies.router, followups.router, courses.router,
                workshops.router, fairs.router, reports.router, offices.router, operations.router)
