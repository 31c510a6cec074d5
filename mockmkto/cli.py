"""The `mockmkto` command: serve, print the WSDL."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from mockmkto.config import DEFAULT_SEED, Config

DEFAULT_ENDPOINT = "http://127.0.0.1:8080/soap/mktows/2_6"
DEFAULT_SERVER = "http://127.0.0.1:8080"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mockmkto", description="A local mock of Marketo's SOAP API (mktows).")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the mock server")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1; env MOCKMKTO_HOST)")
    serve.add_argument("--port", type=int, help="port (default 8080; env MOCKMKTO_PORT)")
    serve.add_argument("--seed", help=f"seed document loaded into an empty store (default {DEFAULT_SEED})")
    serve.add_argument("--no-auth", action="store_true", help="accept requests without a valid signature")
    serve.add_argument("--workers", type=int, default=1, help="processes serving the port (default 1)")
    wsdl = commands.add_parser("wsdl", help="print the published WSDL")
    wsdl.add_argument("--url", default=DEFAULT_ENDPOINT, help=f"its soap:address (default {DEFAULT_ENDPOINT})")
    seed = commands.add_parser("seed", help="load a seed document into a running server")
    seed.add_argument("file", help="a JSON seed document (the format of seed_data/*.json)")
    seed.add_argument("--replace", action="store_true", help="replace the instance's state with the document")
    reset = commands.add_parser("reset", help="reset a running server: to its start seed, a named seed, or empty")
    reset_to = reset.add_mutually_exclusive_group()
    reset_to.add_argument("--seed", help="seed name, e.g. default (seed_data/<name>.json); the start seed when absent")
    reset_to.add_argument("--empty", action="store_true", help="empty the instance")
    database = commands.add_parser("db", help="the database's schema")
    upgrade = database.add_subparsers(dest="db_command", required=True).add_parser(
        "upgrade", help="bring the database, its named instances too, to this mockmkto's schema"
    )
    for command in (serve, upgrade):
        command.add_argument("--db", help="SQLAlchemy URL (default sqlite:///mockmkto.db; env MOCKMKTO_DB)")
    for command in (seed, reset):
        command.add_argument("--url", help=f"the server (default {DEFAULT_SERVER}; env MOCKMKTO_URL)")
        command.add_argument("--instance", help="a named instance instead of the default one")
    for command in (serve, seed, reset):
        command.add_argument("--admin-token", help="token of the admin API: serve requires it, seed/reset send it")
    args = parser.parse_args(argv)
    if args.command in ("seed", "reset"):
        return admin_command(args)
    if args.command == "db":
        return db_command(args)
    if args.command == "wsdl":
        from mockmkto.soap.server import MktowsServer
        from mockmkto.soap.wsdl import with_address

        sys.stdout.write(with_address(MktowsServer().wsdl, args.url))
        return 0
    return serve_forever(args)


def admin_command(args: argparse.Namespace) -> int:
    """`seed` / `reset` against a running server's admin API; prints its JSON answer."""
    base = (args.url or os.environ.get("MOCKMKTO_URL") or DEFAULT_SERVER).rstrip("/")
    prefix = f"{base}/{args.instance}/_admin" if args.instance else f"{base}/_admin"
    if args.command == "seed":
        try:
            with open(args.file, "rb") as handle:
                body = handle.read()
        except OSError as exc:
            print(f"mockmkto: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
            return 2
        url = f"{prefix}/seed" + ("?replace=true" if args.replace else "")
    else:
        body = b""
        query = {"seed": args.seed} if args.seed else {"empty": "true"} if args.empty else None
        url = f"{prefix}/reset" + (f"?{urlencode(query)}" if query else "")
    headers = {"Content-Type": "application/json"}
    token = args.admin_token or os.environ.get("MOCKMKTO_ADMIN_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = Request(url, data=body, method="POST", headers=headers)
    try:
        with urlopen(request, timeout=30) as response:
            print(response.read().decode())
            return 0
    except HTTPError as exc:
        print(f"mockmkto: {exc.code} {exc.read().decode()}", file=sys.stderr)
        return 1
    except URLError as exc:
        print(f"mockmkto: cannot reach {base}: {exc.reason}", file=sys.stderr)
        return 1


def db_command(args: argparse.Namespace) -> int:
    """`db upgrade`: each store of the database to this mockmkto's schema revision, a line for each."""
    from mockmkto.app import instance_location
    from mockmkto.store.migrations import upgrade_database
    from mockmkto.store.schema import HEAD

    try:
        config = Config.from_env(db=args.db)
    except ValueError as exc:
        return fail(f"a MOCKMKTO_* setting is not valid ({exc}): correct it")
    try:
        upgraded = upgrade_database(config.db, instance_location(config.db, "*"))
    except Exception as exc:
        problem = start_up_problem(config, exc)
        if problem is None:
            raise
        return fail(problem)
    for store in upgraded:
        where = shown_url(store.url) + (f" schema {store.schema}" if store.schema else "")
        if store.before == HEAD:
            print(f"{where}: at revision {HEAD} already")
        else:
            print(f"{where}: {f'revision {store.before}' if store.before else 'empty'} -> revision {HEAD}")
    return 0


def serve_forever(args: argparse.Namespace) -> int:
    """Bind the port, build the app (schema, seed), print the banner, serve. A problem at start is
    one line on stderr, naming it and what to do, and exit status 1."""
    from mockmkto import serving

    try:
        config = Config.from_env(
            host=args.host,
            port=args.port,
            db=args.db,
            seed=args.seed,
            auth=False if args.no_auth else None,
            admin_token=args.admin_token,
        )
    except ValueError as exc:
        return fail(f"a MOCKMKTO_* setting is not valid ({exc}): correct it")
    if config.seed is None:
        config.seed = DEFAULT_SEED
    problem = setting_problem(config, args.workers)
    if problem:
        return fail(problem)
    try:
        # Workers listen on sockets of their own; the parent's only holds the port.
        sock = serving.listening_socket(config.host, config.port, shared=args.workers > 1, listen=args.workers == 1)
    except OSError as exc:
        return fail(listen_problem(config, exc))
    with sock:
        config.port = sock.getsockname()[1]  # --port 0: the free port it got
        with serving.frozen_start_up():
            from mockmkto.app import build_app

            try:
                app = build_app(config)
            except Exception as exc:
                problem = start_up_problem(config, exc)
                if problem is None:
                    raise
                return fail(problem)
        started = banner(app, config, args.workers)
        if args.workers == 1:
            print(started, flush=True)
            serving.serve_here(app, sock, config)
        else:
            app.close()  # each worker opens its own connections
            # Printed once every worker listens: a client that waits for it finds the port answering.
            serving.serve_workers(sock, config, args.workers, build_app, ready=lambda: print(started, flush=True))
    return 0


def banner(app, config: Config, workers: int) -> str:
    endpoint = f"http://{config.host}:{config.port}/soap/mktows/2_6"
    lines = [f"mockmkto {endpoint}", f"  WSDL      {endpoint}?WSDL"]
    for user_id, secret in app.credentials():
        lines += [f"  user id   {user_id}", f"  secret    {secret}"]
    if workers > 1:
        lines.append(f"  workers   {workers} processes")
    if not config.auth:
        lines.append("  signatures are not checked (--no-auth)")
    if config.admin_open_to_network:
        lines.append("  the admin API is open to anyone who reaches this address: set --admin-token")
    return "\n".join(lines)


def fail(problem: str) -> int:
    print(f"mockmkto: {problem}", file=sys.stderr)
    return 1


def setting_problem(config: Config, workers: int) -> str | None:
    if not 0 <= config.port <= 65535:
        return f"port {config.port} is out of range: choose one of 1-65535 with --port (0 picks a free one)"
    from mockmkto.serving import MAX_WORKERS

    if not 1 <= workers <= MAX_WORKERS:
        return f"--workers {workers}: choose 1 to {MAX_WORKERS}"
    if workers > 1:
        from mockmkto.store.db import is_memory_url

        if is_memory_url(config.db):
            return f"--workers {workers} need a database they share, not one in each process's memory: give --db a file"
    return None


def listen_problem(config: Config, exc: OSError) -> str:
    where = f"{config.host}:{config.port}"
    if exc.errno == errno.EADDRINUSE:
        return f"port {config.port} on {config.host} is in use: stop what listens there, or choose another with --port"
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on {where} (ports below 1024 need privileges): choose another with --port"
    return f"cannot listen on {where} ({exc.strerror or exc}): check --host and --port"


def start_up_problem(config: Config, exc: Exception) -> str | None:
    """What went wrong while the app was built (database, seed), in one line; None: a bug, not a setting."""
    from sqlalchemy import exc as db_errors

    from mockmkto.domain.seed_format import SeedError
    from mockmkto.store.db import StoreUnavailable
    from mockmkto.store.schema import SchemaOutOfDate, UnknownRevision

    db = shown_url(config.db)
    if isinstance(exc, SchemaOutOfDate):
        return f"the database {db} has an older schema ({exc}): run mockmkto db upgrade --db {db}"
    if isinstance(exc, UnknownRevision):
        return f"the database {db} was upgraded by a newer mockmkto ({exc}): serve it with that one"
    if isinstance(exc, SeedError):
        return f"the seed file {config.seed} cannot be loaded ({exc}): fix it, or choose another with --seed"
    if isinstance(exc, OSError) and exc.filename == config.seed:
        return f"cannot read the seed file {config.seed} ({exc.strerror}): check --seed"
    if isinstance(exc, db_errors.NoSuchModuleError):
        return f"--db {db}: SQLAlchemy knows no such database ({exc}): use e.g. sqlite:///mockmkto.db"
    if isinstance(exc, db_errors.ArgumentError):
        return f"--db {db} is not a database URL: use e.g. sqlite:///mockmkto.db"
    if isinstance(exc, ImportError) and exc.name and not exc.name.startswith("mockmkto"):
        remedy = "pip install 'mockmkto[postgresql]'" if exc.name == "psycopg" else f"pip install {exc.name}"
        return f"--db {db} needs the Python module {exc.name}, which is not installed: {remedy}"
    # The store may wrap the driver's error in its own.
    cause = exc if isinstance(exc, db_errors.DBAPIError) else exc.__cause__
    if isinstance(cause, db_errors.DBAPIError):
        reason = str(cause.orig or cause).strip().splitlines()[0]
        return f"cannot open the database {db} ({reason}): check that its folder exists and is writable"
    if isinstance(exc, StoreUnavailable):
        return f"cannot open the database {db} ({exc}): check that its folder exists and is writable"
    return None


def shown_url(url: str) -> str:
    """A database URL to print: its password hidden."""
    from sqlalchemy import exc as db_errors
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except db_errors.ArgumentError:
        return url


if __name__ == "__main__":
    sys.exit(main())
