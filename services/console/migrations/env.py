"""Alembic environment of the console database."""

from services.console.accounts import models as _accounts  # noqa: F401 - register the tables
from services.console.audit import models as _audit  # noqa: F401
from services.console.auth import models as _auth  # noqa: F401
from services.console.db import Base
from shared.migrations import run_env

run_env(Base.metadata)
