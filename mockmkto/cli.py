"""The `mockmkto` command: serve, print the WSDL."""

from __future__ import annotations

import argparse
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
    serve.add_argument("--db", help="SQLAlchemy URL (default sqlite:///mockmkto.db; env MOCKMKTO_DB)")
    serve.add_argument("--seed", help=f"seed document loaded into an empty store (default {DEFAULT_SEED})")
    serve.add_argument("--no-auth", action="store_true", help="accept requests without a valid signature")
    wsdl = commands.add_parser("wsdl", help="print the published WSDL")
    wsdl.add_argument("--url", default=DEFAULT_ENDPOINT, help=f"its soap:address (default {DEFAULT_ENDPOINT})")
    seed = commands.add_parser("seed", help="load a seed document into a running server")
    seed.add_argument("file", help="a JSON seed document (the format of seed_data/*.json)")
    reset = commands.add_parser("reset", help="reset a running server, empty or to a named seed")
    reset.add_argument("--seed", help="seed name, e.g. default (seed_data/<name>.json); empty when absent")
    for command in (seed, reset):
        command.add_argument("--url", help=f"the server (default {DEFAULT_SERVER}; env MOCKMKTO_URL)")
        command.add_argument("--instance", help="a named instance instead of the default one")
    for command in (serve, seed, reset):
        command.add_argument("--admin-token", help="token of the admin API: serve requires it, seed/reset send it")
    args = parser.parse_args(argv)
    if args.command in ("seed", "reset"):
        return admin_command(args)
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
        url = f"{prefix}/seed"
    else:
        body = b""
        url = f"{prefix}/reset" + (f"?{urlencode({'seed': args.seed})}" if args.seed else "")
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


def serve_forever(args: argparse.Namespace) -> int:
    from mockmkto.serving import frozen_start_up, http_server

    with frozen_start_up():
        from mockmkto.app import build_app

        config = Config.from_env(
            host=args.host,
            port=args.port,
            db=args.db,
            seed=args.seed,
            auth=False if args.no_auth else None,
            admin_token=args.admin_token,
        )
        if config.seed is None:
            config.seed = DEFAULT_SEED
        app = build_app(config)
    endpoint = f"http://{config.host}:{config.port}/soap/mktows/2_6"
    print(f"mockmkto {endpoint}", flush=True)
    print(f"  WSDL      {endpoint}?WSDL", flush=True)
    for user_id, secret in app.credentials():
        print(f"  user id   {user_id}\n  secret    {secret}", flush=True)
    if not config.auth:
        print("  signatures are not checked (--no-auth)", flush=True)
    if config.admin_open_to_network:
        print("  the admin API is open to anyone who reaches this address: set --admin-token", flush=True)
    server = http_server(app, config.host, config.port)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
