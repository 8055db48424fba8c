"""The distributed-mode files (docker-compose.yml, deploy/) against the code they run.

Docker does not run here, so these tests read the files and hold them against what the code really reads and
serves: the settings' environment variables, the CLI's subcommands, the services' path prefixes and health routes,
the bus's exchange names. A rename on either side fails here instead of in a container.
"""

from __future__ import annotations

import asyncio
import base64
import email.message
import fnmatch
import hashlib
import importlib
import json
import re
import shutil
import subprocess
import tomllib
import urllib.error
import urllib.parse
from argparse import Namespace
from pathlib import Path

import httpx
import pytest
from pydantic_settings import BaseSettings

from jobbridge import cli
from jobbridge.platform import ALL, SERVICES
from shared.settings import CommonSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
NGINX = ROOT / "deploy" / "nginx" / "nginx.conf"
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"
RABBITMQ_CONF = ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf"
POSTGRES_INIT = ROOT / "deploy" / "postgres" / "init-databases.sh"
PYPROJECT = ROOT / "pyproject.toml"
# requirements.lock: everything, the dev extra included (tests, `make install`); requirements-runtime.lock: what the
# image installs. `make lock` writes both, the second constrained by the first.
FULL_LOCK = ROOT / "requirements.lock"
RUNTIME_LOCK = ROOT / "requirements-runtime.lock"

# What every JobBridge container must set: without these a container silently runs the embedded defaults (SQLite in
# its own filesystem, the in-process bus, relays inside the API, a JWT secret of its own).
REQUIRED_COMMON = {"BUS", "AMQP_URL", "JWT_SECRET", "RUN_WORKERS_IN_PROCESS", "DATA_DIR"}
# Read outside the settings classes: by the CLI (jobbridge/cli.py) and by the image's HEALTHCHECK.
READ_ELSEWHERE = {"HOST", "PORT", "DEMO", "SERVICE"}


# ---------------------------------------------------------------------------------------------------------------
# Reading the files


def load_compose() -> dict:
    try:
        import yaml
    except ImportError:
        docker = shutil.which("docker")
        if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
            pytest.skip("neither PyYAML nor `docker compose` is available to read docker-compose.yml")
        # `config` interpolates; with no variables set that is the defaults, as the tests below expect.
        out = subprocess.run([docker, "compose", "-f", str(COMPOSE), "config", "--format", "json"],
                             capture_output=True, text=True, check=True, cwd=ROOT)
        return json.loads(out.stdout)
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?::?-(?P<default>[^}]*))?\}")


def with_defaults(value: object) -> str:
    """A compose value as it is with no variable set: `${VAR:-default}` becomes `default`."""
    return VARIABLE.sub(lambda m: m.group("default") or "", str(value))


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the `- KEY=value` form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: with_defaults(value) for key, value in env.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1].strip()) for text in logical]


def runtime_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (name, _) in enumerate(instructions) if name == "FROM")
    return instructions[last_from:]


def stage(name: str) -> list[tuple[str, str]]:
    """The instructions of the stage `FROM … AS name`, up to the next FROM."""
    instructions = dockerfile_instructions()
    start = next(i for i, (kind, args) in enumerate(instructions) if kind == "FROM" and args.endswith(f" AS {name}"))
    end = next((i for i in range(start + 1, len(instructions)) if instructions[i][0] == "FROM"), len(instructions))
    return instructions[start:end]


def image_default_command() -> list[str]:
    return json.loads(next(args for name, args in runtime_stage() if name == "CMD"))


def jobbridge_containers(compose: dict) -> dict[str, dict]:
    """The compose services built from deploy/Dockerfile (the ones that run `jobbridge`)."""
    found = {}
    for name, service in compose["services"].items():
        build = service.get("build") or {}
        dockerfile = build.get("dockerfile", "") if isinstance(build, dict) else ""
        if isinstance(build, dict) and build.get("target") == "fakes":
            continue  # the fake providers' stage, not a JobBridge process
        if dockerfile.endswith("deploy/Dockerfile") or str(service.get("image", "")).startswith("jobbridge"):
            found[name] = service
    return found


def command_of(service: dict) -> list[str]:
    command = service.get("command")
    if command is None:
        return image_default_command()
    assert isinstance(command, list), f"write commands in exec form (a list), not {command!r}"
    return [str(part) for part in command]


def settings_classes() -> list[type[BaseSettings]]:
    """CommonSettings and the settings class of every service in jobbridge.platform.ALL (the console included)."""
    classes: list[type[BaseSettings]] = [CommonSettings]
    for name in ALL:
        module = importlib.import_module(f"services.{name}.settings")
        own = [obj for obj in vars(module).values()
               if isinstance(obj, type) and issubclass(obj, CommonSettings) and obj is not CommonSettings]
        assert own, f"services/{name}/settings.py defines no CommonSettings subclass"
        classes += own
    return classes


def aliases(settings: type[BaseSettings]) -> dict[str, str]:
    """Field name -> the environment variable it is read from."""
    return {name: field.validation_alias for name, field in settings.model_fields.items()
            if isinstance(field.validation_alias, str)}


def database_url_variables() -> dict[str, str]:
    """Service -> the variable of its database URL (JOBS_DATABASE_URL, ...)."""
    found = {}
    for settings in settings_classes()[1:]:
        variable = aliases(settings).get("database_url")
        assert variable, f"{settings.__name__} has no database_url field read from the environment"
        found[variable.split("_", 1)[0].lower()] = variable
    assert set(found) == set(ALL)
    return found


def run_cli(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[str, Namespace]:
    """Parse argv with the real `jobbridge` parser; return which subcommand would run, with its arguments."""
    seen: list[tuple[str, Namespace]] = []

    def recorder(name: str):
        def record(args: Namespace, **_: object) -> int:
            seen.append((name, args))
            return 0
        return record

    def run_workers(args: Namespace, *, relays: bool, consumers: bool) -> int:
        seen.append(("relay" if relays else "consume", args))
        return 0

    monkeypatch.setattr(cli, "cmd_serve", recorder("serve"))
    monkeypatch.setattr(cli, "cmd_migrate", recorder("migrate"))
    monkeypatch.setattr(cli, "cmd_token", recorder("token"))
    monkeypatch.setattr(cli, "cmd_demo", recorder("demo"))
    monkeypatch.setattr(cli, "_run_workers", run_workers)
    try:
        assert cli.main(argv) == 0
    except SystemExit as exc:  # argparse's answer to an unknown subcommand or option
        pytest.fail(f"`jobbridge {' '.join(argv)}` is not a valid command line (exit {exc.code})")
    assert len(seen) == 1
    return seen[0]


# ---------------------------------------------------------------------------------------------------------------
# docker-compose.yml


def test_compose_file_is_a_compose_spec_file_with_the_infrastructure(compose):
    assert "version" not in compose, "the Compose spec has no `version:` key"
    assert {"postgres", "rabbitmq", "ingress"} <= set(compose["services"])
    assert compose["services"]["postgres"]["image"].startswith("postgres:16")
    assert compose["services"]["rabbitmq"]["image"].startswith("rabbitmq:3.13-management")
    assert compose["services"]["ingress"]["image"].startswith("nginx:1.27-alpine")


def test_every_service_has_an_api_a_relay_and_if_it_consumes_a_consumer(compose, tmp_path, monkeypatch):
    running = {(kind, getattr(args, "service", None)) for kind, args in
               (run_cli(command_of(s), monkeypatch) for s in jobbridge_containers(compose).values())}
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    from jobbridge.platform import build_units

    for unit in build_units(ALL):
        assert ("serve", unit.name) in running, f"no container serves the {unit.name} API"
        # The console has no outbox (it publishes nothing): then no relay either.
        assert (("relay", unit.name) in running) == (unit.outbox is not None), (
            f"{unit.name}: a relay container if and only if the service has an outbox")
        if unit.consumers:
            assert ("consume", unit.name) in running, f"no container runs the {unit.name} consumer"


def test_every_jobbridge_command_is_a_real_cli_command_line(compose, monkeypatch):
    containers = jobbridge_containers(compose)
    assert containers, "no service in docker-compose.yml is built from deploy/Dockerfile"
    for name, service in containers.items():
        kind, args = run_cli(command_of(service), monkeypatch)
        assert kind in {"serve", "relay", "consume", "migrate", "demo"}, f"{name} runs `jobbridge {kind}`"
        if kind == "demo":
            assert service.get("profiles") == ["demo"], f"{name}: demonstration data only when asked for"
            continue
        assert args.service == "all" or args.service in ALL, f"{name}: unknown service {args.service!r}"
        if kind == "serve":
            assert args.service != "all", f"{name}: the distributed mode serves one service per container"
            assert (args.host, args.port, args.demo) == ("0.0.0.0", 8000, False), name


def test_every_jobbridge_container_sets_what_its_settings_read(compose, monkeypatch):
    database_urls = database_url_variables()
    known = {variable for settings in settings_classes() for variable in aliases(settings).values()}
    assert REQUIRED_COMMON <= known, f"settings no longer read {REQUIRED_COMMON - known}"
    for name, service in jobbridge_containers(compose).items():
        env = environment(service)
        missing = (REQUIRED_COMMON | set(database_urls.values())) - set(env)
        assert not missing, f"{name} does not set {sorted(missing)}"
        unread = set(env) - known - READ_ELSEWHERE
        assert not unread, f"{name} sets {sorted(unread)}, which nothing reads (a typo, or a renamed setting?)"

        # The values, read by the real settings classes as the container would.
        for variable in known | READ_ELSEWHERE:
            monkeypatch.delenv(variable, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        for settings_class in settings_classes():
            settings = settings_class()
            assert settings.bus == "amqp", name
            assert settings.run_workers_in_process is False, f"{name} would run relays and consumers in-process"
            assert urllib.parse.urlsplit(settings.amqp_url).hostname == "rabbitmq", name
            assert settings.jwt_secret and len(settings.jwt_secret) >= 32, f"{name}: JWT_SECRET shorter than 32 bytes"
            assert settings.data_dir.is_absolute(), f"{name}: DATA_DIR must be an absolute path in the image"
            if settings_class is not CommonSettings:
                url = urllib.parse.urlsplit(settings.db_url())
                assert (url.scheme, url.hostname) == ("postgresql+asyncpg", "postgres"), f"{name}: {url}"


def test_every_jobbridge_container_mounts_the_shared_data_folder(compose):
    for name, service in jobbridge_containers(compose).items():
        data_dir = environment(service)["DATA_DIR"]
        targets = {str(volume).split(":")[1] if isinstance(volume, str) else volume["target"]
                   for volume in service.get("volumes", [])}
        assert data_dir in targets, f"{name}: DATA_DIR {data_dir} is not a volume, so its secrets are per container"


def test_jobbridge_containers_start_after_the_database_the_broker_and_the_migrations(compose, monkeypatch):
    for name, service in jobbridge_containers(compose).items():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions, not a list"
        assert depends.get("postgres", {}).get("condition") == "service_healthy", name
        if run_cli(command_of(service), monkeypatch)[0] == "migrate":
            continue
        assert depends.get("rabbitmq", {}).get("condition") == "service_healthy", name
        migrators = [other for other, cond in depends.items()
                     if cond.get("condition") == "service_completed_successfully"]
        assert migrators, f"{name} may race the other containers on the same migrations"


def test_healthchecks_fit_what_each_container_runs(compose, monkeypatch):
    for name, service in jobbridge_containers(compose).items():
        kind, args = run_cli(command_of(service), monkeypatch)
        healthcheck = service.get("healthcheck") or {}
        if kind == "serve":
            assert f"/{args.service}/ready" in " ".join(map(str, healthcheck.get("test", []))), (
                f"{name}: the API's healthcheck should ask /{args.service}/ready (database and broker)")
        else:
            # No HTTP server in the process: the image's HEALTHCHECK would mark it unhealthy for ever.
            assert healthcheck.get("disable") is True, f"{name} (`jobbridge {kind}`) keeps the HTTP healthcheck"


def test_secrets_in_compose_come_from_the_environment(compose):
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if "PASSWORD" in key or "SECRET" in key:
                assert VARIABLE.fullmatch(str(value)), f"{name}: {key} is written in the file, not read from ${key}"
    for name, service in jobbridge_containers(compose).items():
        raw = service["environment"]
        for key in ("AMQP_URL", *database_url_variables().values()):
            assert VARIABLE.search(str(raw[key])), f"{name}: the password in {key} is not taken from a variable"


# ---------------------------------------------------------------------------------------------------------------
# deploy/Dockerfile


def test_dockerfile_installs_the_locked_dependencies_and_runs_the_cli_as_non_root(monkeypatch):
    builder = stage("builder")
    runs = " ".join(args for name, args in builder if name == "RUN")
    assert ("COPY", "requirements-runtime.lock ./") in builder
    assert "--require-hashes -r requirements-runtime.lock" in runs and "--no-deps ." in runs
    everything = " ".join(args for name, args in dockerfile_instructions() if name in {"COPY", "RUN"})
    assert not re.search(r"\brequirements\.lock\b", everything), "the image must not install the dev extra"
    final = runtime_stage()
    assert final[0][1].split()[0] in {"python:3.11-slim", "${PYTHON_IMAGE}"}
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in DOCKERFILE.read_text() or final[0][1].startswith("python:3.11-slim")
    assert ("USER", "10001:10001") in final or ("USER", "10001") in final
    assert ("WORKDIR", "/app") in final
    assert ("EXPOSE", "8000") in final
    assert json.loads(next(args for name, args in final if name == "ENTRYPOINT")) == ["jobbridge"]
    assert run_cli(image_default_command(), monkeypatch)[0] == "serve"
    env = " ".join(args for name, args in final if name == "ENV")
    assert "PATH=/opt/venv/bin:$PATH" in env and "PYTHONUNBUFFERED=1" in env


def test_dockerfile_healthcheck_asks_the_liveness_route_of_the_service(tmp_path, monkeypatch):
    """Run the HEALTHCHECK's own Python against the real app: it passes for each service's /{service}/health."""
    from jobbridge.platform import create_platform

    healthcheck = next(args for name, args in runtime_stage() if name == "HEALTHCHECK")
    assert "CMD [" in healthcheck, "use the exec form, so no shell is needed and quoting stays simple"
    argv = json.loads(healthcheck.split("CMD", 1)[1])
    assert argv[:2] == ["python", "-c"]
    image_env = " ".join(args for name, args in runtime_stage() if name == "ENV")
    default_service = re.search(r"\bSERVICE=(\w+)", image_env)
    assert default_service and default_service.group(1) in SERVICES

    for variable in ("BUS", "JWT_SECRET", "RUN_WORKERS_IN_PROCESS", *database_url_variables().values()):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    app = create_platform(ALL, settings=CommonSettings(data_dir=tmp_path))
    asked: list[str] = []

    async def get(path: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000") as c:
            return await c.get(path)

    def urlopen(url: str, timeout: float | None = None):
        path = urllib.parse.urlsplit(url).path
        asked.append(path)
        response = asyncio.run(get(path))
        if response.status_code >= 400:
            raise urllib.error.HTTPError(url, response.status_code, response.reason_phrase, email.message.Message(),
                                         None)
        return response

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    for service in (None, *ALL):
        if service is None:
            monkeypatch.delenv("SERVICE", raising=False)
        else:
            monkeypatch.setenv("SERVICE", service)
        exec(argv[2], {})  # raises (the check fails) on an error status
        assert asked[-1] == f"/{service or 'jobs'}/health"


def requirement_name(requirement: str) -> str:
    """The normalised project name of a requirement string (`uvicorn[standard]>=0.30` -> `uvicorn`)."""
    found = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert found, requirement
    name = found.group(0)
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(path: Path) -> dict[str, str]:
    """Project name -> pinned version, from a lock written by `uv pip compile`."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line)
        if match:
            pins[requirement_name(match.group(1))] = match.group(2)
    assert pins, f"{path.name} pins nothing"
    return pins


def test_runtime_lock_is_the_full_lock_without_the_dev_extra():
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    runtime = {requirement_name(r) for r in project["dependencies"]}
    dev = {requirement_name(r) for r in project["optional-dependencies"]["dev"]} - runtime
    full, slim = lock_pins(FULL_LOCK), lock_pins(RUNTIME_LOCK)

    assert "--extra" not in RUNTIME_LOCK.read_text(encoding="utf-8").split("\n", 3)[1], "made with an extra"
    assert runtime <= set(slim), f"the runtime lock lacks {sorted(runtime - set(slim))}"
    assert not dev & set(slim), f"the runtime lock carries the dev extra's {sorted(dev & set(slim))}"
    assert dev <= set(full), f"requirements.lock lacks the dev extra's {sorted(dev - set(full))}"
    # The tests run against the versions the image ships: `make lock` constrains one by the other.
    differ = {name: (version, full.get(name)) for name, version in slim.items() if full.get(name) != version}
    assert not differ, f"runtime lock vs requirements.lock: {differ}"


# ---------------------------------------------------------------------------------------------------------------
# deploy/nginx/nginx.conf


def nginx_text() -> str:
    return "\n".join(line.split("#", 1)[0] for line in NGINX.read_text(encoding="utf-8").splitlines())


def nginx_locations() -> dict[str, str]:
    """location argument (e.g. `/jobs/`, `= /metrics`) -> the block's body (no nested blocks in this file)."""
    return {m.group(1).strip(): m.group(2) for m in re.finditer(r"location\s+([^{]+?)\s*\{([^{}]*)\}", nginx_text())}


def size_in_bytes(size: str) -> int:
    found = re.fullmatch(r"(\d+)([kKmMgG]?)", size)
    assert found, size
    number, unit = found.groups()
    return int(number) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit.lower()]


def test_ingress_routes_every_service_prefix_to_its_api_container(compose, monkeypatch):
    locations = nginx_locations()
    serving = {args.service: name for name, service in jobbridge_containers(compose).items()
               for kind, args in [run_cli(command_of(service), monkeypatch)] if kind == "serve"}
    for service in ALL:
        body = locations.get(f"/{service}/")
        assert body is not None, f"nginx.conf has no `location /{service}/`"
        variables = dict(re.findall(r"set\s+\$(\w+)\s+(\S+?);", body))
        target = re.search(r"proxy_pass\s+(\S+?);", body).group(1)
        target = variables.get(target.lstrip("$"), target)
        url = urllib.parse.urlsplit(target)
        assert (url.hostname, url.port) == (serving[service], 8000), f"/{service}/ goes to {target}"
        assert url.path in ("", "/") or url.path == f"/{service}/", "the prefix must reach the app unchanged"


def test_ingress_sends_the_front_door_to_the_console(compose, monkeypatch):
    body = nginx_locations().get("= /")
    assert body is not None, "nginx.conf has no `location = /` (the console's front door)"
    variables = dict(re.findall(r"set\s+\$(\w+)\s+(\S+?);", body))
    target = re.search(r"proxy_pass\s+(\S+?);", body).group(1)
    url = urllib.parse.urlsplit(variables.get(target.lstrip("$"), target))
    serving = {args.service: name for name, service in jobbridge_containers(compose).items()
               for kind, args in [run_cli(command_of(service), monkeypatch)] if kind == "serve"}
    assert (url.hostname, url.port) == (serving["console"], 8000)
    assert "console" in compose["services"]["ingress"]["depends_on"]


def test_the_console_reaches_each_api_by_its_container(compose):
    for name, service in jobbridge_containers(compose).items():
        urls = json.loads(environment(service)["CONSOLE_API_URLS"])
        assert urls == {s: f"http://{s}:8000" for s in SERVICES}, name


def test_ingress_hides_metrics_and_internal_routes(tmp_path, monkeypatch):
    locations = nginx_locations()
    metrics = locations.get("= /metrics")
    assert metrics is not None and re.search(r"return\s+40[34]", metrics), "/metrics must not be public"

    from jobbridge.platform import create_platform

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    app = create_platform(SERVICES, settings=CommonSettings(data_dir=tmp_path))
    paths = set(app.openapi()["paths"])  # app.routes does not flatten included routers in every FastAPI version
    assert "/jobs/health" in paths
    for service in SERVICES:
        if any(path.startswith(f"/{service}/internal/") for path in paths):
            blocked = locations.get(f"/{service}/internal/")
            assert blocked is not None and re.search(r"return\s+40[34]", blocked), (
                f"/{service}/internal/ (service-to-service routes) is reachable through the public ingress")


def test_ingress_lets_each_services_uploads_through(compose):
    locations = nginx_locations()
    default = re.search(r"client_max_body_size\s+(\w+);", nginx_text()).group(1)
    for settings in settings_classes()[1:]:
        field = next((name for name in ("upload_max_bytes",) if name in settings.model_fields), None)
        if field is None:
            continue
        variable = aliases(settings)[field]
        service = variable.split("_", 1)[0].lower()
        limit = settings.model_fields[field].default
        for container in jobbridge_containers(compose).values():
            limit = max(limit, int(environment(container).get(variable, 0)))
        own = re.search(r"client_max_body_size\s+(\w+);", locations[f"/{service}/"])
        body_limit = size_in_bytes(own.group(1) if own else default)
        # Above the app's limit (the app answers the precise 413), with room for the multipart envelope.
        assert limit + 64 * 1024 <= body_limit <= 2 * limit, f"/{service}/: body {body_limit} for uploads of {limit}"


def test_ingress_publishes_the_port_nginx_listens_on(compose):
    listen = re.search(r"listen\s+(\d+);", nginx_text()).group(1)
    ports = [str(p) for p in compose["services"]["ingress"]["ports"]]
    assert any(p.endswith(f"${{PORT:-8000}}:{listen}") for p in ports), ports
    mounted = [str(v) for v in compose["services"]["ingress"]["volumes"]]
    assert "./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro" in mounted


# ---------------------------------------------------------------------------------------------------------------
# deploy/rabbitmq, deploy/postgres


def test_rabbitmq_definitions_declare_the_exchanges_the_bus_uses():
    definitions = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    exchange = CommonSettings.model_fields["amqp_exchange"].default
    declared = {(e["vhost"], e["name"]): e for e in definitions["exchanges"]}
    # Same type and durability as RabbitBus.start declares them, or its declare fails with PRECONDITION_FAILED.
    for name, kind in ((exchange, "topic"), (f"{exchange}.dlx", "direct")):
        found = declared.get(("/", name))
        assert found is not None, f"exchange {name} missing from definitions.json"
        assert (found["type"], found["durable"], found["auto_delete"], found.get("internal", False)) == (
            kind, True, False, False), name
    assert {"name": "/"} in definitions["vhosts"]
    assert not definitions.get("queues"), "consumers declare their own queues at start"


def test_rabbitmq_user_matches_the_amqp_url_of_the_containers(compose):
    definitions = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    users = {user["name"]: user for user in definitions["users"]}
    assert "guest" not in users
    for name, service in jobbridge_containers(compose).items():
        url = urllib.parse.urlsplit(environment(service)["AMQP_URL"])
        user = users.get(url.username)
        assert user is not None, f"{name} logs in as {url.username}, whom definitions.json does not create"
        # RabbitMQ's SHA-256 scheme: base64(4-byte salt + sha256(salt + password)).
        assert user["hashing_algorithm"] == "rabbit_password_hashing_sha256"
        raw = base64.b64decode(user["password_hash"])
        salt, digest = raw[:4], raw[4:]
        assert hashlib.sha256(salt + urllib.parse.unquote(url.password).encode()).digest() == digest, (
            f"{name}: the default password in AMQP_URL does not match the hash in definitions.json")
        vhost = urllib.parse.unquote(url.path[1:]) or "/"
        assert any(p["user"] == url.username and p["vhost"] == vhost and p["configure"] == p["write"] == p["read"]
                   == ".*" for p in definitions["permissions"]), f"{url.username} lacks permissions on {vhost}"


def test_rabbitmq_policy_bounds_deliveries_of_consumer_queues_but_not_dead_letters():
    definitions = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    limits = [p for p in definitions["policies"] if "delivery-limit" in p["definition"]]
    assert len(limits) == 1
    policy = limits[0]
    assert policy["apply-to"] == "quorum_queues"
    # The broker takes the lower of the policy and the queue's x-delivery-limit: keep them equal by default.
    assert policy["definition"]["delivery-limit"] == CommonSettings.model_fields["delivery_limit"].default
    pattern = re.compile(policy["pattern"])
    assert all(pattern.search(name) for name in SERVICES), "consumer queues are named after their service"
    assert not any(pattern.search(f"{name}.dlq") for name in SERVICES), "a dead-letter queue would drop messages"


def test_rabbitmq_conf_loads_the_definitions_compose_mounts(compose):
    conf = dict(line.split("=", 1) for line in RABBITMQ_CONF.read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#"))
    path = conf["management.load_definitions "].strip()
    mounts = [str(v) for v in compose["services"]["rabbitmq"]["volumes"]]
    assert f"./deploy/rabbitmq/definitions.json:{path}:ro" in mounts
    assert "./deploy/rabbitmq/rabbitmq.conf:/etc/rabbitmq/rabbitmq.conf:ro" in mounts


def test_postgres_init_creates_the_role_and_database_each_container_connects_to(compose):
    script = POSTGRES_INIT.read_text(encoding="utf-8")
    created = set(re.findall(r"CREATE DATABASE (\w+) OWNER (\w+);", script))
    assert {name for name, _ in created} >= set(ALL) | {"jobs", "workers", "matching", "notify", "console"}
    roles = set(re.findall(r"CREATE ROLE (\w+) LOGIN", script))
    for name, service in jobbridge_containers(compose).items():
        for variable in database_url_variables().values():
            url = urllib.parse.urlsplit(environment(service)[variable])
            assert (url.path.lstrip("/"), url.username) in created, f"{name}: {variable} names no created database"
            assert url.username in roles
            assert url.password == environment(compose["services"]["postgres"])["JOBBRIDGE_DB_PASSWORD"], (
                f"{name}: {variable} and the postgres service disagree on the default password")
    mounts = [str(v) for v in compose["services"]["postgres"]["volumes"]]
    assert any(m.startswith("./deploy/postgres/init-databases.sh:/docker-entrypoint-initdb.d/") for m in mounts)


# ---------------------------------------------------------------------------------------------------------------
# The optional profiles: the fake providers, the demonstration data


def fakes_env_file() -> dict[str, str]:
    lines = (ROOT / "deploy" / "fakes.env").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_the_fakes_profile_runs_the_fake_providers_that_push_receipts_through_the_ingress(compose):
    from tests.fakes.standalone import parse_args

    fakes = compose["services"]["fakes"]
    assert fakes["profiles"] == ["fakes"] and fakes["build"]["target"] == "fakes"
    args = parse_args([with_defaults(part) for part in fakes["command"]])
    assert (args.host, args.port) == ("0.0.0.0", 9100)
    receipts = urllib.parse.urlsplit(args.receipts_url)
    ingress_port = compose["services"]["ingress"]["ports"][0].rsplit(":", 1)[1]
    assert (receipts.hostname, str(receipts.port), receipts.path) == ("ingress", ingress_port, "/notify/receipts")
    assert fakes["command"][-1] == "${NOTIFY_RECEIPT_TOKEN:-}", "the fakes send the token notify expects"
    assert with_defaults(fakes["ports"][0]).endswith(":9100")
    # The image stage: the fakes and nothing of ours but what they import, started as `python -m tests.fakes`.
    instructions = stage("fakes")
    assert ("COPY", "tests/fakes ./tests/fakes") in instructions
    assert json.loads(next(a for k, a in instructions if k == "ENTRYPOINT")) == ["python", "-m", "tests.fakes"]
    assert "9100/health" in next(a for k, a in instructions if k == "HEALTHCHECK")


def test_fakes_env_points_notify_at_the_fakes_with_their_credentials(compose):
    from services.notify.settings import NotifySettings
    from tests.fakes.standalone import notify_env, parse_args

    ports = parse_args([with_defaults(part) for part in compose["services"]["fakes"]["command"]]).ports
    env = fakes_env_file()
    assert env == notify_env(aliyun=f"http://fakes:{ports['aliyun']}", tencent=f"http://fakes:{ports['tencent']}",
                             wechat=f"http://fakes:{ports['wechat']}", receipt_token=env["NOTIFY_RECEIPT_TOKEN"])
    # Every one of them reaches notify: the containers read each from the environment Compose interpolates.
    notify = jobbridge_containers(compose)["notify-relay"]["environment"]
    read = set(aliases(NotifySettings).values())
    for key in env:
        assert key in read, f"notify reads no {key}"
        assert VARIABLE.fullmatch(str(notify[key])) and VARIABLE.fullmatch(str(notify[key]))["name"] == key, key


def test_the_demo_profile_loads_the_data_after_the_consumers_are_up(compose, monkeypatch):
    demo = compose["services"]["demo"]
    assert run_cli(command_of(demo), monkeypatch)[0] == "demo"
    assert demo["restart"] == "no" and demo["profiles"] == ["demo"]
    started = {name for name, cond in demo["depends_on"].items() if cond["condition"] == "service_started"}
    assert {"matching-consumer", "notify-consumer"} <= started


def ignored_by_docker(path: str) -> bool:
    """Whether .dockerignore keeps `path` out of the build context (the last matching line decides)."""
    ignored = False
    for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keep = line.startswith("!")
        pattern = line.lstrip("!").rstrip("/").removeprefix("**/")
        parts = path.split("/")
        prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
        if any(fnmatch.fnmatch(prefix, pattern) or fnmatch.fnmatch(part, pattern)
               for prefix, part in zip(prefixes, parts)):
            ignored = not keep
    return ignored


def test_every_file_the_dockerfile_copies_is_in_the_build_context():
    sources = [args.split()[:-1] for kind, args in dockerfile_instructions()
               if kind == "COPY" and not args.startswith("--from")]
    assert sources
    for paths in sources:
        for path in paths:
            assert (ROOT / path).exists(), f"COPY {path}: no such file"
            assert not ignored_by_docker(path), f"COPY {path}: .dockerignore leaves it out of the build context"
    assert ignored_by_docker("tests/unit/test_deploy_files.py") and ignored_by_docker(".venv/bin/python")
