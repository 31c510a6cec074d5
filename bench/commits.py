"""One commit against another (or the working tree), side by side in one run: did a change keep the speed?

`mockmkto serve` (one worker unless `--workers`, a SQLite WAL file; and PostgreSQL when MOCKMKTO_TEST_POSTGRES_URL
names a server) runs once from a `git worktree` of the baseline and once from the candidate (a
commit's worktree, or this tree with its changes), all at once, idle unless loaded. wrk drives each
operation of throughput.py at 8 clients, alternating between them round by round. Reported per
operation and store: the candidate's req/s and server CPU per request as ratios to the baseline's,
with the spread over rounds.

`--floor` also serves the floor (floor.py) on each commit's own HTTP server, as that commit's
`mockmkto serve` would (its tree first on PYTHONPATH), and reports each commit's SQLite req/s over
its own floor's, round by round: a target set against the floor is compared across a change of
server, as when it was set.

    bench/.venv/bin/python bench/commits.py --baseline f92d769 [--candidate HEAD] [--rounds 5] [--duration 5] [--floor]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path

import import_rows
import throughput
from common import BENCH, PYTHON, ROOT, Process, envelope, free_port, log, median, wrk
from workers import costed, postgres_server

CLIENTS = 8


def serve(name: str, tree: Path, db: str, workdir: Path, workers: int = 1) -> Process:
    return _from_tree(name, tree, ["-m", "mockmkto", "serve", "--db", db, "--workers", str(workers)], workdir)


def serve_floor(name: str, tree: Path, canned: Path, workdir: Path) -> Process:
    return _from_tree(name, tree, [str(BENCH / "floor.py"), "--canned", str(canned)], workdir)


def _from_tree(name: str, tree: Path, args: list[str], workdir: Path) -> Process:
    """`python args --port N` run with `tree`'s mockmkto, on a free port."""
    port = free_port()
    # -P: the tree on PYTHONPATH wins over the current directory (the bench runs from this checkout).
    argv = [PYTHON, "-P", *args, "--port", str(port)]
    env = os.environ | {"PYTHONPATH": str(tree)}
    return Process(name, argv, port, env=env, log_path=workdir / f"{name}.log")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", required=True, help="the commit to compare the working tree with")
    parser.add_argument("--candidate", help="the commit to measure (default: the working tree as it is)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run")
    parser.add_argument("--ops", default="syncLead,getLead,requestCampaign", help=f"of {','.join(throughput.OPS)}")
    parser.add_argument("--floor", action="store_true", help="each commit against the floor on its own server too")
    parser.add_argument("--workers", type=int, default=1, help="worker processes of each `mockmkto serve`")
    opts = parser.parse_args()
    ops = opts.ops.split(",")
    with tempfile.TemporaryDirectory(prefix="mockmkto-commits-") as scratch:
        workdir = Path(scratch)
        trees = {"baseline": workdir / "baseline", "candidate": workdir / "candidate" if opts.candidate else ROOT}
        for name, commit in (("baseline", opts.baseline), ("candidate", opts.candidate)):
            if commit:
                subprocess.run(["git", "worktree", "add", "--detach", str(trees[name]), commit], cwd=ROOT, check=True)
        processes: list[Process] = []
        drops: list = []
        try:
            dbs = {"sqlite": {name: f"sqlite:///{workdir}/{name}.db" for name in trees}}
            if server := postgres_server():
                dbs["postgresql"] = {}
                for name in trees:
                    url, drop = import_rows.postgres_database(server)
                    drops.append(drop)
                    dbs["postgresql"][name] = url
            targets = {}
            for store, by_name in dbs.items():
                for name, tree in trees.items():
                    process = serve(f"{store}-{name}", tree, by_name[name], workdir, opts.workers).start()
                    processes.append(process)
                    templates, canned, faults = throughput.prepare_mock(process.port)
                    if any(faults.get(op) for op in ops):
                        raise RuntimeError(f"{store} {name}: sample calls faulted: {faults}")
                    targets[(store, name)] = (process, by_name[name], templates)
                    wrk(process.port, envelope(templates["syncLead"]), CLIENTS, 2, workdir)  # warm-up
            if opts.floor:
                canned_file = workdir / "canned.json"
                canned_file.write_text(json.dumps(canned))
                for name, tree in trees.items():
                    floor = serve_floor(f"floor-{name}", tree, canned_file, workdir).start()
                    processes.append(floor)
                    targets[("floor", name)] = (floor, None, templates)
                    wrk(floor.port, envelope(templates["syncLead"]), CLIENTS, 2, workdir)  # warm-up
            runs = []
            for round_ in range(opts.rounds):
                for op in ops:
                    for (store, name), (process, db, templates) in targets.items():
                        body = envelope(templates[op])
                        result = costed(process, db, wrk, process.port, body, CLIENTS, opts.duration, workdir)
                        runs.append(result | {"op": op, "store": store, "name": name, "round": round_})
                        cpu_ms = result["server_cpu_ms"]
                        log(f"{round_} {op} {store} {name}: {result['rps']:.0f} req/s, {cpu_ms:.2f} ms CPU a request")
        finally:
            for process in processes:
                process.stop()
            for drop in drops:
                drop()
            for tree in trees.values():
                if tree != ROOT:
                    subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
    candidate = opts.candidate or "the working tree"
    workers = f", {opts.workers} workers each" if opts.workers > 1 else ""
    print(f"\n{candidate} against {opts.baseline}, {opts.rounds} rounds, wrk at {CLIENTS} clients{workers}:")
    print("| store | operation | req/s ratio (median, min-max) | server CPU per request ratio (median) |")
    print("|---|---|---|---|")
    for store in dbs:
        for op in ops:
            rps = ratios(runs, store, op, "rps")
            cpu = ratios(runs, store, op, "server_cpu_ms")
            print(f"| {store} | {op} | {median(rps):.2f}x ({min(rps):.2f}-{max(rps):.2f}) | {median(cpu):.2f}x |")
    if opts.floor:
        print("\nEach against the floor on its own server (SQLite req/s over the floor's, median of rounds):")
        print("| operation | baseline x its floor | candidate x its floor |")
        print("|---|---|---|")
        for op in ops:
            cells = []
            for name in trees:
                per_round = [
                    mine / floor
                    for mine, floor in zip(
                        of(runs, "sqlite", op, name, "rps"), of(runs, "floor", op, name, "rps"), strict=True
                    )
                ]
                cells.append(f"{median(per_round):.2f}x ({min(per_round):.2f}-{max(per_round):.2f})")
            print(f"| {op} | {cells[0]} | {cells[1]} |")


def of(runs: list[dict], store: str, op: str, name: str, metric: str) -> list[float]:
    """`metric` of one tree's runs (`store` "floor": its floor's), round by round."""
    found = [r for r in runs if (r["store"], r["op"], r["name"]) == (store, op, name)]
    return [r[metric] for r in sorted(found, key=lambda r: r["round"])]


def ratios(runs: list[dict], store: str, op: str, metric: str) -> list[float]:
    """The candidate's `metric` over the baseline's, round by round."""
    candidate, baseline = (of(runs, store, op, name, metric) for name in ("candidate", "baseline"))
    return [mine / base for mine, base in zip(candidate, baseline, strict=True)]


if __name__ == "__main__":
    main()
