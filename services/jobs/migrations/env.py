"""Alembic environment of the jobs database."""

from services.jobs.db import Base
from services.jobs.employers import models as _employers  # noqa: F401 - register the tables
from services.jobs.fairs import models as _fairs  # noqa: F401
from services.jobs.postings import models as _postings  # noqa: F401
from services.jobs.supply_lists import models as _supply_lists  # noqa: F401
from shared.migrations import run_env

run_env(Base.metadata)
