"""The data folder's files hold sealed personal numbers and keys: readable by their owner only."""

from __future__ import annotations

import os
import stat


async def test_the_database_files_are_owner_only(api, tmp_path):
    await api.employer()  # a write, so that the WAL files exist

    files = [path for path in tmp_path.iterdir() if path.name.startswith("jobs.db")]

    assert {path.name for path in files} >= {"jobs.db", "jobs.db-wal"}
    assert all(stat.S_IMODE(os.stat(path).st_mode) == 0o600 for path in files), \
        {path.name: oct(stat.S_IMODE(os.stat(path).st_mode)) for path in files}
