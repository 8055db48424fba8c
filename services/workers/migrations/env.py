"""Alembic environment of the workers database."""

from services.workers.audit import models as _audit  # noqa: F401 - register the tables
from services.workers.courses import models as _courses  # noqa: F401
from services.workers.db import Base
from services.workers.placements import models as _placements  # noqa: F401
from services.workers.profiles import models as _profiles  # noqa: F401
from services.workers.reports import models as _reports  # noqa: F401
from services.workers.service_points import models as _service_points  # noqa: F401
from services.workers.startup_support import models as _startup_support  # noqa: F401
from services.workers.targets import models as _targets  # noqa: F401
from services.workers.training import models as _training  # noqa: F401
from services.workers.workshops import models as _workshops  # noqa: F401
from shared.migrations import run_env

run_env(Base.metadata)
