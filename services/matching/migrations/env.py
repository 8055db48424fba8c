"""Alembic environment of the matching database."""

from services.matching.db import Base
from services.matching.readmodels import models as _readmodels  # noqa: F401 - register the tables
from services.matching.recommendations import models as _recommendations  # noqa: F401
from services.matching.runs import models as _runs  # noqa: F401
from services.matching.vocabulary import models as _vocabulary  # noqa: F401
from shared.migrations import run_env

run_env(Base.metadata)
