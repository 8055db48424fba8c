"""Schemathesis against the embedded platform, with a token of each role: no answer is a 5xx, and every answer
(its status, content type, headers and body) is one the OpenAPI document describes.

FUZZ_EXAMPLES sets the examples per operation and role: a few in `make test` (about two minutes), many in
`make fuzz`.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jobbridge.platform import create_platform
from services.jobs.settings import JobsSettings
from services.matching.settings import MatchingSettings
from services.notify.settings import NotifySettings
from services.workers.settings import WorkersSettings
from shared.auth import mint_token
from shared.settings import CommonSettings
from tests.service.conftest import vacancy, worker

SECRET = "fuzz-secret-of-at-least-thirty-two-bytes"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
OFFICE, REGION = "bj-fengtai-hrss", "152222"
ROLES = ("admin", "employer", "station_staff", "partner_office")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    """The four services in one process on loopback, as `make run` serves them, with a little data."""
    data = tmp_path_factory.mktemp("fuzz")
    port = free_port()
    common = {"data_dir": data, "jwt_secret": SECRET, "relay_poll_seconds": 0.2}
    app = create_platform(settings=CommonSettings(**common), service_settings=_settings(common, port))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True, name="fuzz-server")
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the platform did not start"
        time.sleep(0.1)
    admin = {"Authorization": f"Bearer {mint_token(key=SECRET, role='admin')}"}
    created = httpx.post(f"{url}/jobs/employers", json={"name": "北京安居家政", "region_code": "110106"},
                         headers=admin)
    assert created.status_code == 201, created.text
    employer_id = created.json()["id"]
    tokens = {"admin": mint_token(key=SECRET, role="admin", sub="fuzz-admin"),
              "employer": mint_token(key=SECRET, role="employer", sub="fuzz-employer", employer_id=employer_id),
              "station_staff": mint_token(key=SECRET, role="station_staff", sub="fuzz-staff", region=REGION),
              "partner_office": mint_token(key=SECRET, role="partner_office", sub="fuzz-office", office_id=OFFICE)}
    httpx.post(f"{url}/jobs/postings", json=vacancy(), headers={"Authorization": f"Bearer {tokens['employer']}"})
    httpx.post(f"{url}/workers/profiles", json=worker(),
               headers={"Authorization": f"Bearer {tokens['station_staff']}"})
    yield url, tokens
    server.should_exit = True
    thread.join(timeout=30)


def _document() -> dict:
    """The OpenAPI document of the platform, read from an app that is built and never started."""
    folder = tempfile.mkdtemp(prefix="jobbridge-openapi-")
    try:
        common: dict[str, Any] = {"data_dir": Path(folder), "jwt_secret": SECRET}
        return create_platform(settings=CommonSettings(**common), service_settings=_settings(common)).openapi()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _settings(common: dict, port: int = 8000) -> dict:
    return {"jobs": JobsSettings(**common), "workers": WorkersSettings(**common),
            "matching": MatchingSettings(**common),
            "notify": NotifySettings(**common, workers_url=f"http://127.0.0.1:{port}")}


schema = schemathesis.openapi.from_dict(_document())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_answer_as_documented(case, platform):
    url, tokens = platform
    for role in ROLES:  # each example as each role sees it
        case.call_and_validate(base_url=url, headers={"Authorization": f"Bearer {tokens[role]}",
                                                      "Accept-Language": "zh-CN"}, checks=CHECKS)
