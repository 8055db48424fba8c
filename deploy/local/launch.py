"""The distributed topology as plain processes on this machine (what `docker compose up` runs, without Docker).

    python deploy/local/launch.py up        # databases + vhost, migrate, 4 APIs, relays, consumers, the console,
                                            # the proxy on PORT
    python deploy/local/launch.py up --fakes   # the same, notify sending to the fake providers (tests/fakes), which
                                               # push delivery receipts back through the proxy
    python deploy/local/launch.py up --demo    # and, once ready, the demonstration data of `make run` (once)
    python deploy/local/launch.py status    # each process: pid, alive or not, its log
    python deploy/local/launch.py restart matching-consumer   # start one process again (after a crash or kill -9)
    python deploy/local/launch.py down      # SIGTERM every process, SIGKILL after --timeout; --drop also removes
                                            # the databases and the vhost

Once everything is ready, `up` leaves a supervisor behind (`launch.py supervise`, its log logs/supervisor.log) that
starts again any process that died, after a pause that doubles from 1 s up to 30 s while it keeps dying, as Compose's
and Kubernetes' restart policies would; `up --no-supervise` leaves none. `down` stops it first.

Every name is overridable, so that a test can run its own isolated copy:
  --name      prefix of the databases (<name>_jobs, …) and the RabbitMQ vhost (default jobbridge_local)
  --base-port first API port: jobs, workers, matching, notify on base..base+3, the console on base+8 (default 8101)
  --port      the proxy (default $PORT or 8000)
  --state-dir pid file, logs and DATA_DIR (default .local; it gets its own .gitignore)
Settings from the environment are passed on to each process (e.g. JWT_SECRET, NOTIFY_QUIET_START); notify uses the
`recording` providers unless NOTIFY_SMS_PROVIDERS / NOTIFY_WECHAT_PROVIDER say otherwise, or `--fakes` is given: then
the fakes' control API listens on base-port + 4 and the providers on the three ports after it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the fakes' settings come from tests.fakes
SERVICES = ("jobs", "workers", "matching", "notify")
CONSOLE = "console"  # the staff console: its own process and database, calling the four APIs over HTTP
CONSOLE_OFFSET = 8  # its port is base-port + 8, after the fakes' four (base+4 .. base+7)
CONSUMERS = ("jobs", "matching", "notify")  # workers consumes nothing
QUEUES = ("jobs", "matching", "matching-runs", "notify")  # one per consumer of the consumer processes
STATE_FILE = "launch.json"
LOCK_FILE = "launch.lock"  # held while the processes' pids change: `restart` and the supervisor take turns
SUPERVISOR = "supervisor"
SUPERVISE_EVERY = 0.5  # seconds between the supervisor's looks at the processes


def pg_admin_dsn() -> str:
    return os.environ.get("LOCAL_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def pg_url(database: str) -> str:
    base = os.environ.get("LOCAL_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432")
    return f"{base.rstrip('/')}/{database}"


def amqp_url(vhost: str) -> str:
    base = os.environ.get("LOCAL_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672")
    return f"{base.rstrip('/')}/{vhost}"


def rabbitmqctl(*args: str) -> str:
    tool = shutil.which("rabbitmqctl")
    if tool is None:
        raise SystemExit("launch: rabbitmqctl is not on PATH (needed to create the vhost)")
    done = subprocess.run([tool, "-q", *args], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise SystemExit(f"launch: rabbitmqctl {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def ensure_vhost(vhost: str) -> None:
    if vhost not in rabbitmqctl("list_vhosts", "name").split():
        rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, os.environ.get("LOCAL_AMQP_USER", "guest"), ".*", ".*", ".*")


async def ensure_databases(names: list[str]) -> None:
    import asyncpg

    conn = await asyncpg.connect(pg_admin_dsn())
    try:
        for name in names:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_databases(names: list[str]) -> None:
    import asyncpg

    conn = await asyncpg.connect(pg_admin_dsn())
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


class Topology:
    def __init__(self, name: str, base_port: int, port: int, state_dir: Path, receipt_token: str | None = None) -> None:
        self.name, self.base_port, self.port, self.state_dir = name, base_port, port, state_dir.resolve()
        self.receipt_token = receipt_token  # set: the fake providers run, and push receipts with this token

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Topology:
        state_dir = Path(args.state_dir)
        saved = state_dir / STATE_FILE
        if args.command != "up" and saved.exists():  # the copy that `up` started, whatever flags say now
            state = json.loads(saved.read_text())
            return cls(state["name"], state["base_port"], state["port"], state_dir, state.get("receipt_token"))
        token = None
        if getattr(args, "fakes", False):
            token = os.environ.get("NOTIFY_RECEIPT_TOKEN") or uuid.uuid4().hex
        return cls(args.name, args.base_port, args.port, state_dir, token)

    @property
    def fakes(self) -> bool:
        return self.receipt_token is not None

    @property
    def fakes_port(self) -> int:
        return self.base_port + len(SERVICES)

    def ports(self) -> list[int]:
        """Every port this copy listens on."""
        fakes = [self.fakes_port + i for i in range(4)] if self.fakes else []
        return [self.api_port(s) for s in SERVICES] + [self.console_port] + fakes + [self.port]

    @property
    def databases(self) -> dict[str, str]:
        return {s: f"{self.name}_{s}" for s in (*SERVICES, CONSOLE)}

    def api_port(self, service: str) -> int:
        return self.base_port + SERVICES.index(service)

    @property
    def console_port(self) -> int:
        return self.base_port + CONSOLE_OFFSET

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "BUS": "amqp", "AMQP_URL": amqp_url(self.name), "RUN_WORKERS_IN_PROCESS": "false",
            "DATA_DIR": str(self.state_dir / "data"), "DEMO": "0",
            "NOTIFY_WORKERS_URL": f"http://127.0.0.1:{self.api_port('workers')}",
            "WORKERS_JOBS_URL": f"http://127.0.0.1:{self.api_port('jobs')}",
            "JOBS_WORKERS_URL": f"http://127.0.0.1:{self.api_port('workers')}",
            # The console reaches each API directly, with the signed-in user's rights, never their databases.
            "CONSOLE_API_URLS": json.dumps({s: f"http://127.0.0.1:{self.api_port(s)}" for s in SERVICES}),
            "PYTHONUNBUFFERED": "1",
        })
        for service, database in self.databases.items():
            env[f"{service.upper()}_DATABASE_URL"] = pg_url(database)
        if self.fakes:
            from tests.fakes.standalone import notify_env

            env.update(notify_env(aliyun=f"http://127.0.0.1:{self.fakes_port + 1}",
                                  tencent=f"http://127.0.0.1:{self.fakes_port + 2}",
                                  wechat=f"http://127.0.0.1:{self.fakes_port + 3}",
                                  receipt_token=self.receipt_token or ""))
        env.setdefault("NOTIFY_SMS_PROVIDERS", "recording")
        env.setdefault("NOTIFY_WECHAT_PROVIDER", "recording")
        env.pop("PORT", None)
        return env

    def commands(self) -> dict[str, list[str]]:
        """Every long-running process by name, in start order (the proxy last)."""
        cli = [sys.executable, "-m", "jobbridge.cli"]
        out: dict[str, list[str]] = {}
        if self.fakes:  # first: notify's dispatcher finds them up
            out["fakes"] = [sys.executable, "-m", "tests.fakes", "--port", str(self.fakes_port),
                            "--receipts-url", f"http://127.0.0.1:{self.port}/notify/receipts",
                            "--receipt-token", self.receipt_token or ""]
        for service in SERVICES:
            out[service] = [*cli, "serve", "--service", service, "--host", "127.0.0.1",
                            "--port", str(self.api_port(service)), "--no-demo"]
            out[f"{service}-relay"] = [*cli, "relay", service]
            if service in CONSUMERS:
                out[f"{service}-consumer"] = [*cli, "consume", service]
        out[CONSOLE] = [*cli, "serve", "--service", CONSOLE, "--host", "127.0.0.1", "--port", str(self.console_port),
                        "--no-demo"]
        routes = [f"--route={s}=http://127.0.0.1:{self.api_port(s)}" for s in SERVICES]
        routes.append(f"--route={CONSOLE}=http://127.0.0.1:{self.console_port}")
        out["proxy"] = [sys.executable, str(ROOT / "deploy/local/proxy.py"), "--port", str(self.port), *routes]
        return out

    # --- the state: one JSON file with the settings and each process's pid ---
    def load(self) -> dict:
        path = self.state_dir / STATE_FILE
        return json.loads(path.read_text()) if path.exists() else {"pids": {}}

    def save(self, pids: dict[str, int], *, supervisor: int | None = None) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        supervisor = supervisor or self.load().get(SUPERVISOR)
        state = {"name": self.name, "base_port": self.base_port, "port": self.port,
                 "receipt_token": self.receipt_token, "pids": pids, SUPERVISOR: supervisor}
        tmp = self.state_dir / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.state_dir / STATE_FILE)
        for proc, pid in pids.items():
            (self.state_dir / f"{proc}.pid").write_text(f"{pid}\n")

    def log(self, proc: str) -> Path:
        return self.state_dir / "logs" / f"{proc}.log"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One at a time: the pids of the state file change only under this lock."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.state_dir / LOCK_FILE, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def start(self, proc: str) -> int:
        self.log(proc).parent.mkdir(parents=True, exist_ok=True)
        with open(self.log(proc), "ab") as log:
            child = subprocess.Popen(self.commands()[proc], cwd=ROOT, env=self.env(), stdin=subprocess.DEVNULL,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return child.pid


def port_free(port: int) -> bool:
    """Nothing listens on 127.0.0.1:port (a readiness check would otherwise ask whoever does)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def ours(pid: int) -> bool:
    """Still the process we started (a pid can be reused): its command line is one of ours."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return any(mark in cmdline for mark in ("jobbridge.cli", "deploy/local/proxy.py", "tests.fakes",
                                            "deploy/local/launch.py"))


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        return False  # not up yet, or something else answered on its port (not HTTP, or not ready): asked again


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(top: Topology, pids: dict[str, int], timeout: float) -> None:
    live = {proc: pid for proc, pid in pids.items() if alive(pid) and ours(pid)}
    for pid in live.values():
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(pid) for pid in live.values()):
        time.sleep(0.1)
    for proc, pid in live.items():
        if alive(pid):
            print(f"launch: {proc} ({pid}) did not stop within {timeout:g} s: SIGKILL")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def consuming(vhost: str) -> set[str]:
    """The queues of the vhost that have a consumer now."""
    return set(rabbitmqctl("list_consumers", "-p", vhost, "queue_name").split()) & set(QUEUES)


def wait_ready(top: Topology, pids: dict[str, int], timeout: float) -> None:
    """Every API answers ready and every queue has its consumer: an event published now reaches its service (the
    broker refuses one for a queue not yet bound, and the relay's backoff would hold it back for a while)."""
    urls = {s: f"http://127.0.0.1:{top.api_port(s)}/{s}/ready" for s in SERVICES}
    urls[CONSOLE] = f"http://127.0.0.1:{top.console_port}/{CONSOLE}/ready"
    urls["proxy"] = f"http://127.0.0.1:{top.port}/ingress/health"
    if top.fakes:
        urls["fakes"] = f"http://127.0.0.1:{top.fakes_port}/health"
    deadline = time.monotonic() + timeout
    waiting = dict(urls)
    queues = set(QUEUES)
    while waiting or queues:
        for proc, pid in pids.items():
            if not alive(pid):
                raise RuntimeError(f"{proc} exited at start; its log ({top.log(proc)}) ends:\n{tail(top.log(proc))}")
        for proc, url in list(waiting.items()):
            if ready(url):
                del waiting[proc]
        if not waiting:
            queues -= consuming(top.name)
        if not waiting and not queues:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"not ready within {timeout:g} s: {', '.join([*waiting, *sorted(queues)])}")
        time.sleep(0.2)


@dataclass
class Revival:
    """How one process has been started again: when it last was, and how often in a row it died soon after."""

    started_at: float
    failures: int = 0


@dataclass
class Supervisor:
    """Starts again each process that is no longer running, with a pause that doubles (from `first_pause` up to
    `max_pause` seconds) each time it died within `steady` seconds of its last start, and goes back to the first
    pause once it ran that long. Told what runs and how to start a process, so that it can be tried alone."""

    start: Callable[[str], int]
    running: Callable[[int], bool]
    clock: Callable[[], float] = time.monotonic
    report: Callable[[str], None] = print
    first_pause: float = 1.0
    max_pause: float = 30.0
    steady: float = 60.0
    revivals: dict[str, Revival] = field(default_factory=dict)
    dead_since: dict[str, float] = field(default_factory=dict)

    def pause(self, proc: str, died: float) -> float:
        """Seconds to wait after `proc` died at `died` before starting it again."""
        revival = self.revivals.get(proc)
        if revival is None or died - revival.started_at >= self.steady:
            return 0.0
        return min(self.max_pause, self.first_pause * 2 ** revival.failures)

    def check(self, pids: dict[str, int]) -> dict[str, int]:
        """The pids after one look: those running are kept, the dead whose pause is over are started again."""
        now = self.clock()
        out = dict(pids)
        for proc, pid in pids.items():
            if self.running(pid):
                self.dead_since.pop(proc, None)
                continue
            died = self.dead_since.setdefault(proc, now)
            if now - died < self.pause(proc, died):
                continue
            revival = self.revivals.get(proc)
            quick = revival is not None and died - revival.started_at < self.steady
            out[proc] = self.start(proc)
            self.revivals[proc] = Revival(started_at=now, failures=revival.failures + 1 if revival and quick else 0)
            del self.dead_since[proc]
            self.report(f"{proc} (pid {pid}) was not running: started again as pid {out[proc]}")
        return out


def cmd_supervise(top: Topology, args: argparse.Namespace) -> int:
    """Until `down` (SIGTERM) or until the state names another supervisor: start again what died."""
    stopping = False

    def stop_now(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop_now)
    signal.signal(signal.SIGINT, stop_now)

    def report(line: str) -> None:
        print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} launch: {line}", flush=True)

    supervisor = Supervisor(start=top.start, running=lambda pid: alive(pid) and ours(pid), report=report)
    report(f"supervising the processes of {top.name} (pid {os.getpid()})")
    while not stopping:
        with contextlib.suppress(ChildProcessError):  # reap the processes this supervisor started that died
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        with top.locked():
            state = top.load()
            if state.get(SUPERVISOR) != os.getpid():
                break  # `down` removed the state, or another `up` made its own supervisor
            pids = supervisor.check(state["pids"])
            if pids != state["pids"]:
                top.save(pids)
        time.sleep(SUPERVISE_EVERY)
    report("supervisor stopped")
    return 0


def start_supervisor(top: Topology) -> int:
    command = [sys.executable, str(Path(__file__).resolve()), "--name", top.name, "--base-port", str(top.base_port),
               "--port", str(top.port), "--state-dir", str(top.state_dir), "supervise"]
    with open(top.log(SUPERVISOR), "ab") as log:
        child = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
    return child.pid


def cmd_up(top: Topology, args: argparse.Namespace) -> int:
    state = top.load()
    running = [alive(pid) and ours(pid) for pid in state.get("pids", {}).values()]
    if running and all(running) and set(state["pids"]) == set(top.commands()):
        print(f"launch: already running (state in {top.state_dir})")
        return 0
    if any(running):
        print(f"launch: partly running (state in {top.state_dir}); `down` first", file=sys.stderr)
        return 1
    taken = [port for port in top.ports() if not port_free(port)]
    if taken:
        print(f"launch: port(s) {', '.join(map(str, taken))} in use (another copy still running?); "
              f"stop it or choose --base-port / --port", file=sys.stderr)
        return 1
    top.state_dir.mkdir(parents=True, exist_ok=True)
    (top.state_dir / ".gitignore").write_text("*\n")
    started = time.monotonic()
    asyncio.run(ensure_databases(list(top.databases.values())))
    ensure_vhost(top.name)
    top.log("migrate").parent.mkdir(parents=True, exist_ok=True)
    with open(top.log("migrate"), "ab") as log:
        done = subprocess.run([sys.executable, "-m", "jobbridge.cli", "migrate", "--service", "all"], cwd=ROOT,
                              env=top.env(), stdout=log, stderr=subprocess.STDOUT, timeout=300)
    if done.returncode != 0:
        print(f"launch: migrate failed; {top.log('migrate')} ends:\n{tail(top.log('migrate'))}", file=sys.stderr)
        return 1
    pids: dict[str, int] = {}
    try:
        for proc in top.commands():
            pids[proc] = top.start(proc)
            top.save(pids)
        wait_ready(top, pids, args.timeout)
    except BaseException as exc:
        print(f"launch: {exc}; stopping what started", file=sys.stderr)
        stop(top, pids, 10)
        return 1
    if args.supervise:
        with top.locked():
            top.save(pids, supervisor=start_supervisor(top))
    fakes = f", fake providers' control on {top.fakes_port}" if top.fakes else ""
    print(f"launch: {len(pids)} processes ready in {time.monotonic() - started:.1f} s; "
          f"http://127.0.0.1:{top.port}/ (APIs on {top.base_port}-{top.base_port + 3}, console on "
          f"{top.console_port}{fakes}, "
          f"databases {top.name}_*, vhost {top.name}, logs in {top.state_dir / 'logs'})")
    if args.demo:
        # After the consumers are up: the events of the data reach them at once (`jobbridge demo` loads once).
        loaded = subprocess.run([sys.executable, "-m", "jobbridge.cli", "demo", "--port", str(top.port)], cwd=ROOT,
                                env=top.env(), capture_output=True, text=True, timeout=300)
        top.log("demo").write_text(loaded.stdout + loaded.stderr)
        if loaded.returncode != 0:
            print(f"launch: loading the demonstration data failed; {top.log('demo')} ends:\n{tail(top.log('demo'))}",
                  file=sys.stderr)
            return 1
        print(loaded.stdout.strip())
    return 0


def cmd_down(top: Topology, args: argparse.Namespace) -> int:
    state = top.load()
    supervisor = state.get(SUPERVISOR)
    if supervisor:  # first, or it would start again what is being stopped
        stop(top, {SUPERVISOR: supervisor}, args.timeout)
    stop(top, state.get("pids", {}), args.timeout)
    for pidfile in top.state_dir.glob("*.pid"):
        pidfile.unlink()
    if (top.state_dir / STATE_FILE).exists():
        (top.state_dir / STATE_FILE).unlink()
    if args.drop:
        asyncio.run(drop_databases(list(top.databases.values())))
        if top.name in rabbitmqctl("list_vhosts", "name").split():
            rabbitmqctl("delete_vhost", top.name)
    print(f"launch: stopped {len(state.get('pids', {}))} processes" + (" and dropped the data" if args.drop else ""))
    return 0


def cmd_status(top: Topology, args: argparse.Namespace) -> int:
    state = top.load()
    pids = state.get("pids", {})
    if args.json:
        print(json.dumps({proc: {"pid": pid, "alive": alive(pid) and ours(pid)} for proc, pid in pids.items()}))
        return 0
    if not pids:
        print("launch: nothing started here")
        return 1
    for proc, pid in pids.items():
        print(f"{proc:20} {pid:>8} {'running' if alive(pid) and ours(pid) else 'STOPPED':8} {top.log(proc)}")
    return 0 if all(alive(pid) and ours(pid) for pid in pids.values()) else 1


def cmd_restart(top: Topology, args: argparse.Namespace) -> int:
    if args.process not in top.commands():
        print(f"launch: no process {args.process!r} (one of {', '.join(top.commands())})", file=sys.stderr)
        return 2
    with top.locked():  # the supervisor does not start it meanwhile
        pids = top.load().get("pids", {})
        old = pids.get(args.process)
        if old and alive(old) and ours(old):
            stop(top, {args.process: old}, args.timeout)
        pids[args.process] = top.start(args.process)
        top.save(pids)
    time.sleep(0.5)
    if not alive(pids[args.process]):
        print(f"launch: {args.process} exited at start:\n{tail(top.log(args.process))}", file=sys.stderr)
        return 1
    print(f"launch: {args.process} started again as {pids[args.process]}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="launch.py", description=__doc__.splitlines()[0])
    parser.add_argument("--name", default=os.environ.get("LOCAL_NAME", "jobbridge_local"))
    parser.add_argument("--base-port", type=int, default=int(os.environ.get("LOCAL_BASE_PORT", "8101")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or "8000"))
    parser.add_argument("--state-dir", default=os.environ.get("LOCAL_STATE_DIR", str(ROOT / ".local")))
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up")
    up.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for every API to be ready")
    up.add_argument("--fakes", action="store_true", help="notify sends to the fake providers, which push receipts")
    up.add_argument("--demo", action="store_true", help="load the demonstration data once everything is ready")
    up.add_argument("--no-supervise", dest="supervise", action="store_false",
                    help="leave no supervisor behind to start again a process that died")
    down = sub.add_parser("down")
    down.add_argument("--timeout", type=float, default=20.0, help="seconds between SIGTERM and SIGKILL")
    down.add_argument("--drop", action="store_true", help="also drop the databases and delete the vhost")
    status = sub.add_parser("status")
    status.add_argument("--json", action="store_true")
    restart = sub.add_parser("restart")
    restart.add_argument("process")
    restart.add_argument("--timeout", type=float, default=20.0)
    sub.add_parser("supervise", help="start again each process that died (what `up` leaves running)")
    args = parser.parse_args(argv)
    top = Topology.from_args(args)
    commands = {"up": cmd_up, "down": cmd_down, "status": cmd_status, "restart": cmd_restart,
                "supervise": cmd_supervise}
    return commands[args.command](top, args)


if __name__ == "__main__":
    sys.exit(main())
