"""Alembic environment of the notify database."""

from services.notify.db import Base
from services.notify.messages import models as _messages  # noqa: F401 - register the tables
from services.notify.opt_outs import models as _opt_outs  # noqa: F401
from services.notify.receipts import models as _receipts  # noqa: F401
from services.notify.replies import models as _replies  # noqa: F401
from shared.migrations import run_env

run_env(Base.metadata)
