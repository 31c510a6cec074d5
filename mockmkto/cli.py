"""The `mockmkto` command: serve, print the WSDL."""

from __future__ import annotations

import argparse
import sys

from mockmkto.config import DEFAULT_SEED, Config

DEFAULT_ENDPOINT = "http://127.0.0.1:8080/soap/mktows/2_6"


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
    args = parser.parse_args(argv)
    if args.command == "wsdl":
        from mockmkto.soap.server import MktowsServer
        from mockmkto.soap.wsdl import with_address

        sys.stdout.write(with_address(MktowsServer().wsdl, args.url))
        return 0
    return serve_forever(args)


def serve_forever(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    from mockmkto.app import build_app

    config = Config.from_env(
        host=args.host,
        port=args.port,
        db=args.db,
        seed=args.seed,
        auth=False if args.no_auth else None,
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
    run_simple(config.host, config.port, app, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
