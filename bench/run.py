"""mockmkto's benchmark suite: one command, every figure side by side, never part of the tests.

    python bench/run.py            # everything (about 20 minutes on 2 cores)
    python bench/run.py --quick    # shorter runs, scale up to 100k leads (about 8 minutes)
    python bench/run.py --only throughput,reset

Writes bench/results.json (raw), bench/results.md (report) and bench/chart.png. Needs
bench/requirements.txt in the Python environment, wrk, and WireMock's jar (bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import coldstart  # noqa: E402
import report  # noqa: E402
import reset  # noqa: E402
import scale  # noqa: E402
import servers  # noqa: E402
import throughput  # noqa: E402
import workers  # noqa: E402
from common import BENCH, SERVE_SERVER, have_wrk, log, work_dir  # noqa: E402

SECTIONS = {
    "throughput": throughput.run,
    "coldstart": coldstart.run,
    "reset": reset.run,
    "scale": scale.run,
    "servers": servers.run,
    "workers": workers.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short runs; scale stops at 100k leads")
    parser.add_argument("--only", help=f"comma-separated sections of {', '.join(SECTIONS)}")
    parser.add_argument("--duration", type=float, help="seconds per wrk run (default 5, quick 3)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per figure (default 2, quick 1)")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients (default 1,8,32)")
    parser.add_argument(
        "--server",
        default=SERVE_SERVER,
        choices=("cheroot", "werkzeug", "waitress", "gunicorn"),
        help="HTTP server of mockmkto and the floor in the throughput section (default waitress, as `mockmkto serve`)",
    )
    parser.add_argument("--scale", help="lead counts for the scale section (default 10000,100000,1000000)")
    parser.add_argument("--out", type=Path, default=BENCH, help="where results.{json,md} and chart.png go")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (databases, server logs)")
    opts = parser.parse_args(argv)
    opts.duration = opts.duration or (3 if opts.quick else 5)
    opts.rounds = opts.rounds or (1 if opts.quick else 2)
    opts.clients = [int(c) for c in opts.clients.split(",")]
    default_scale = "10000,100000" if opts.quick else "10000,100000,1000000"
    opts.scale = [int(n) for n in (opts.scale or default_scale).split(",")]
    sections = opts.only.split(",") if opts.only else list(SECTIONS)
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if not have_wrk() and {"throughput", "servers", "workers"} & set(sections):
        parser.error("wrk is not installed (apt-get install wrk): see bench/README.md")

    workdir = work_dir(opts.keep)
    log(f"work folder {workdir}")
    results = {"meta": report.machine(opts, sys.argv[1:] if argv is None else argv), "sections": {}}
    started = time.monotonic()
    for name in sections:
        log(f"== {name}")
        section_started, commit = time.monotonic(), report.commit()
        results["sections"][name] = SECTIONS[name](opts, workdir)
        results["sections"][name]["commit"] = commit
        results["sections"][name]["seconds"] = round(time.monotonic() - section_started, 1)
    results["meta"].update(
        seconds=round(time.monotonic() - started, 1), load_at_end=os.getloadavg(), commit_at_end=report.commit()
    )
    opts.out.mkdir(parents=True, exist_ok=True)
    (opts.out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    report.write(results, opts.out)
    log(f"wrote {opts.out / 'results.md'} and {opts.out / 'chart.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
