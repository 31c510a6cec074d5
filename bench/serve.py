"""Serve mockmkto, the floor or the stock Spyne echo on one of the candidate HTTP servers (a benchmark process).

    python bench/serve.py --app mockmkto|floor|echo --server cheroot|werkzeug|waitress|gunicorn --port N
        [--db URL] [--canned FILE] [--quiet] [--one-cpu]

`waitress` is the server `mockmkto serve` runs (mockmkto/serving.py: 8 threads, one process); it
keeps connections alive, as `cheroot` (8 threads) does, the server before. `werkzeug` is Werkzeug's threaded
development server (run_simple, a log line per request), which closes the connection after every
answer; `--quiet` drops its log line. `--one-cpu` holds the process to one CPU, as `taskset -c N`
would: its threads then stop handing Python's interpreter lock from core to core.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

THREADS = 8  # cheroot, as many as `mockmkto serve` (mockmkto/serving.py); gunicorn runs 2 workers x 4 threads


def make_app(args):
    if args.app == "floor":
        from floor import make_floor

        return make_floor(Path(args.canned))
    if args.app == "echo":
        from echo import make_echo

        return make_echo()
    from mockmkto.app import build_app
    from mockmkto.config import DEFAULT_SEED, Config

    return build_app(Config(host="127.0.0.1", port=args.port, db=args.db, seed=DEFAULT_SEED))


def serve_gunicorn(args) -> None:
    from gunicorn.app.base import BaseApplication

    if args.app == "mockmkto":
        # Seed the shared file once, before the workers fork, so they do not race to seed it.
        make_app(args).instance.store.close()

    class App(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": f"127.0.0.1:{args.port}",
                "workers": 2,
                "threads": 4,
                "worker_class": "gthread",
                "loglevel": "warning",
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return make_app(args)

    App().run()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", choices=("mockmkto", "floor", "echo"), required=True)
    parser.add_argument("--server", choices=("cheroot", "werkzeug", "waitress", "gunicorn"), required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", default="sqlite://")
    parser.add_argument("--canned")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--one-cpu", action="store_true")
    args = parser.parse_args()
    if args.one_cpu:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if args.server == "gunicorn":
        serve_gunicorn(args)
        return
    if args.server in ("cheroot", "waitress"):
        from mockmkto.serving import frozen_start_up

        with frozen_start_up():  # as `mockmkto serve` starts
            app = make_app(args)
        # As `mockmkto serve` does once it serves (absent from older trees, which the bench also runs).
        getattr(app, "start_serving", lambda: None)()
    else:
        app = make_app(args)
    if args.server == "werkzeug":
        from werkzeug.serving import WSGIRequestHandler, run_simple

        class Quiet(WSGIRequestHandler):
            def log_request(self, code="-", size="-"):
                pass

        run_simple("127.0.0.1", args.port, app, threaded=True, request_handler=Quiet if args.quiet else None)
    elif args.server == "cheroot":
        from cheroot.wsgi import Server

        server = Server(("127.0.0.1", args.port), app, numthreads=THREADS)
        try:
            server.safe_start()
        finally:
            server.stop()
    else:
        from floor import serve_as_mockmkto

        # The very server `mockmkto serve` builds, for mockmkto and the floor alike.
        serve_as_mockmkto(app, args.port)


if __name__ == "__main__":
    main()
