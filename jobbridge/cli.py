"""The `jobbridge` command: mint tokens, migrate, serve, run relays and consumers, load demonstration data, print
the AsyncAPI document of the events."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from datetime import timedelta

from shared.auth import Role, TokenError, mint_token
from shared.logs import configure_logging
from shared.settings import CommonSettings


def _services(choice: str) -> tuple[str, ...]:
    from jobbridge.platform import ALL

    return ALL if choice == "all" else (choice,)


def cmd_token(args: argparse.Namespace) -> int:
    settings = CommonSettings()
    try:
        print(mint_token(key=settings.signing_key, role=args.role, sub=args.sub, employer_id=args.employer_id,
                         region=args.region, office_id=args.office_id, ttl=timedelta(hours=args.ttl_hours)))
    except (TokenError, ValueError) as exc:
        print(f"jobbridge token: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from jobbridge.platform import build_units

    async def run() -> None:
        for unit in build_units(_services(args.service)):
            await unit.migrate()
            await unit.close()
            print(f"{unit.name}: migrated")

    asyncio.run(run())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Load the demonstration data into the jobs and workers databases of the environment's settings, and make the
    console's demonstration accounts in its database."""
    from jobbridge.demo.loader import load_and_print
    from jobbridge.platform import build_units

    async def run() -> None:
        units = {unit.name: unit for unit in build_units(("jobs", "workers", "console"))}
        try:
            for unit in units.values():
                await unit.migrate()
            await load_and_print(units, CommonSettings(), port=args.port)
        finally:
            for unit in units.values():
                await unit.close()

    asyncio.run(run())
    return 0


def cmd_account(args: argparse.Namespace) -> int:
    """Create a console account (the first admin of a deployment, say); the password is read from standard input."""
    from jobbridge.platform import build_units
    from services.console.accounts import service as accounts
    from services.console.errors import FormInvalid

    password = sys.stdin.readline().rstrip("\n")

    async def run() -> int:
        (unit,) = build_units(("console",))
        try:
            await unit.migrate()
            async with unit.database.transaction() as session:
                await accounts.create(session=session, clock=unit.clock, by="cli", username=args.username,
                                      display_name=args.display_name or args.username, role=args.role,
                                      password=password, region=args.region, office_id=args.office_id,
                                      phone=args.phone)
        except FormInvalid as invalid:
            for field, message in invalid.errors.items():
                print(f"jobbridge account: {field or 'account'}: {message}", file=sys.stderr)
            return 2
        finally:
            await unit.close()
        print(f"{args.username}: created")
        return 0

    return asyncio.run(run())


SERVED = "JOBBRIDGE_SERVED"  # what `serve --workers N` tells each of its processes to serve


def served_app():
    """The app of one process of `jobbridge serve --workers N`: uvicorn imports it by name in each process."""
    from jobbridge.platform import create_platform

    settings = CommonSettings()
    configure_logging(settings.log_level)
    return create_platform(_services(os.environ[SERVED]), settings=settings, settle_heap=True)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from jobbridge.platform import create_platform

    os.environ["PORT"] = str(args.port)  # services that call each other in this process find it here
    settings = CommonSettings()
    configure_logging(settings.log_level)
    options: dict = {"host": args.host, "port": args.port, "log_config": None, "access_log": False,
                     "timeout_graceful_shutdown": int(settings.shutdown_grace_seconds)}
    if args.workers > 1:
        # Several processes on one port: relays and consumers must run apart (`jobbridge relay`, `consume`), and
        # the database is migrated here once, before the processes start, so that they do not race to do it.
        if settings.run_workers_in_process or (args.demo and args.service == "all"):
            print("jobbridge serve: --workers above 1 needs RUN_WORKERS_IN_PROCESS=false (relays and consumers run "
                  "as their own processes) and --no-demo", file=sys.stderr)
            return 2
        cmd_migrate(argparse.Namespace(service=args.service))
        os.environ[SERVED] = args.service
        uvicorn.run("jobbridge.cli:served_app", factory=True, workers=args.workers, **options)
        return 0
    app = create_platform(_services(args.service), settings=settings, settle_heap=True)
    if args.demo and args.service == "all":
        from jobbridge.demo.loader import load_on_start

        load_on_start(app, settings, port=args.port)
    uvicorn.run(app, **options)
    return 0


def _run_workers(args: argparse.Namespace, *, relays: bool, consumers: bool) -> int:
    """Run a service's relay or consumer as its own process until SIGTERM or SIGINT."""
    from jobbridge.platform import build_units
    from shared.runtime import Runtime, make_bus

    settings = CommonSettings()
    configure_logging(settings.log_level)

    async def run() -> None:
        role = "relay" if relays else "consume"
        bus = make_bus(settings, name=f"jobbridge {args.service} {role}")
        runtime = Runtime(units=build_units(_services(args.service)), bus=bus, settings=settings,
                          api=False, relays=relays, consumers=consumers, settle_heap=True)
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        await runtime.start()
        try:
            await stopping.wait()
        finally:
            await runtime.stop()

    asyncio.run(run())
    return 0


def cmd_asyncapi(args: argparse.Namespace) -> int:
    from jobbridge.asyncapi import render

    sys.stdout.write(render())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jobbridge", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    token = sub.add_parser("token", help="print a bearer token")
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--employer-id")
    token.add_argument("--region", help="adcode prefix for station staff, e.g. 152221")
    token.add_argument("--office-id")
    token.add_argument("--sub", help="the subject (a user name); generated when left out")
    token.add_argument("--ttl-hours", type=int, default=24 * 30)
    token.set_defaults(run=cmd_token)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--service", default="all")
    migrate.set_defaults(run=cmd_migrate)

    demo = sub.add_parser("demo", help="load the demonstration data into the jobs and workers databases and make "
                                       "the console's demonstration accounts (once)")
    demo.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")),
                      help="the port the printed address names (the ingress)")
    demo.set_defaults(run=cmd_demo)

    account = sub.add_parser("account", help="create a console account; the password is read from standard input")
    account.add_argument("--username", required=True)
    account.add_argument("--role", required=True, choices=["admin", "station_staff", "partner_office"])
    account.add_argument("--display-name")
    account.add_argument("--region", help="station staff: a county or township adcode of the League, e.g. 152222")
    account.add_argument("--office-id", help="partner office: its id, e.g. bj-fengtai-hrss")
    account.add_argument("--phone", help="the telephone printed on offer sheets")
    account.set_defaults(run=cmd_account)

    serve = sub.add_parser("serve", help="serve the API (all services, or one)")
    serve.add_argument("--service", default="all")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--demo", action=argparse.BooleanOptionalAction,
                       default=os.environ.get("DEMO", "1") not in ("0", "false", "no"))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")),
                       help="server processes on the port (default WEB_CONCURRENCY or 1); above 1 needs "
                            "RUN_WORKERS_IN_PROCESS=false")
    serve.set_defaults(run=cmd_serve)

    relay = sub.add_parser("relay", help="publish a service's outbox (its own process)")
    relay.add_argument("service")
    relay.set_defaults(run=lambda a: _run_workers(a, relays=True, consumers=False))

    consume = sub.add_parser("consume", help="run a service's event consumer (its own process)")
    consume.add_argument("service")
    consume.set_defaults(run=lambda a: _run_workers(a, relays=False, consumers=True))

    asyncapi = sub.add_parser("asyncapi", help="print the AsyncAPI document of the events (docs/asyncapi.yaml)")
    asyncapi.set_defaults(run=cmd_asyncapi)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
