"""`jobbridge serve --workers N`: several server processes on one port only where relays and consumers run apart, the
database migrated once before they start, each process serving the named service."""

from __future__ import annotations

import logging
from argparse import Namespace

import pytest
import uvicorn

from jobbridge import cli


@pytest.fixture
def started(monkeypatch, tmp_path) -> list[tuple[object, dict]]:
    """What uvicorn would have been asked to serve, recorded instead of served; a data folder of the test's own."""
    runs: list[tuple[object, dict]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: runs.append((app, options)))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv(cli.SERVED, raising=False)
    return runs


def test_several_processes_are_refused_while_relays_and_consumers_run_in_process(started, monkeypatch, capsys):
    monkeypatch.setenv("RUN_WORKERS_IN_PROCESS", "true")
    assert cli.main(["serve", "--service", "jobs", "--no-demo", "--workers", "2"]) == 2
    assert "RUN_WORKERS_IN_PROCESS=false" in capsys.readouterr().err and started == []


def test_several_processes_serve_the_service_after_one_migration(started, monkeypatch):
    monkeypatch.setenv("RUN_WORKERS_IN_PROCESS", "false")
    migrated: list[str] = []
    monkeypatch.setattr(cli, "cmd_migrate", lambda args: migrated.append(args.service) or 0)
    assert cli.main(["serve", "--service", "jobs", "--no-demo", "--workers", "2", "--port", "8123"]) == 0
    [(app, options)] = started
    assert migrated == ["jobs"] and app == "jobbridge.cli:served_app"
    assert options["factory"] is True and options["workers"] == 2 and options["port"] == 8123
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        served = cli.served_app()  # what each process builds from the environment the command left it
    finally:
        root.handlers[:], root.level = handlers, level  # served_app configures the process's logging
    assert list(served.state.units) == ["jobs"]


@pytest.mark.parametrize(("environment", "processes"), [(None, 1), ("3", 3)])
def test_one_process_unless_web_concurrency_says_otherwise(monkeypatch, environment, processes):
    if environment is None:
        monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    else:
        monkeypatch.setenv("WEB_CONCURRENCY", environment)
    recorded: list[Namespace] = []
    monkeypatch.setattr(cli, "cmd_serve", lambda args: recorded.append(args) or 0)
    assert cli.main(["serve", "--service", "jobs"]) == 0
    assert recorded[0].workers == processes
