"""Section 7: `mockmkto serve --workers N` on a SQLite WAL file and on PostgreSQL, beside the floor,
moto_server's DynamoDB and a 100,000-row importToList, in one run.

1. syncLead and getLead with wrk at 8 clients (keep-alive) against `mockmkto serve --workers 1, 2, 4`
   on a SQLite file and on PostgreSQL (a database each): every server runs at once, idle unless
   loaded, and wrk loads one at a time, interleaved round by round. syncLead updates one of 100
   existing leads (LeadScore changes every call), getLead reads one of them by Email. Beside each
   run: the server's CPU per request (all its processes), how the CPU spread over its workers,
   the machine's busy share of its cores and, on PostgreSQL, the instance's advisory lock (its
   holder and waiters, sampled from pg_locks).
2. One process against the floor: the throughput section's syncLead figure at 8 clients
   (throughput.py; run here when that section is not part of the run).
3. moto_server's DynamoDB PutItem against mockmkto's syncLead, both driven the same way by one
   Python load generator (8 threads, a connection each): PutItem replaces one of 100 items with
   the 10 attributes a syncLead sends. The request is signed once (SigV4) and its headers kept:
   moto_server does not check signatures (a wrong one is accepted too), so changed bodies pass.
4. import_rows.py's imports (10,000 and 100,000 rows; 100,000 with --quick) on both stores.

PostgreSQL when MOCKMKTO_TEST_POSTGRES_URL names a server (databases of this run's own are made
there and dropped), as import_rows.py.
"""

from __future__ import annotations

import json
import os
import resource
import threading
import time
from itertools import count
from pathlib import Path

import import_rows
import throughput
from common import (
    BENCH_LEADS,
    PYTHON,
    SOAP_PATH,
    Http,
    Process,
    envelope,
    free_port,
    get_lead_params,
    lead_attributes,
    log,
    median,
    percentile,
    render,
    sync_lead_params,
    wrk,
)

WORKERS = (1, 2, 4)
CLIENTS = 8
OPS = {"syncLead": sync_lead_params(), "getLead": get_lead_params()}
# The Python load generator of part 3 stops after this many requests whatever the time.
MAX_REQUESTS = 200_000
PG_SAMPLE_SECONDS = 0.02
TICKS = os.sysconf("SC_CLK_TCK")
DYNAMODB_TARGET = "DynamoDB_20120810.PutItem"


def postgres_server() -> str | None:
    return os.environ.get("MOCKMKTO_TEST_POSTGRES_URL")


# ---------------------------------------------------------------------------------------------
# Servers


def mockmkto_serve(name: str, db: str, workers: int, workdir: Path) -> Process:
    port = free_port()
    argv = [PYTHON, "-m", "mockmkto", "serve", "--port", str(port), "--db", db, "--workers", str(workers)]
    return Process(name, argv, port, log_path=workdir / f"{name}.log")


def start_moto(workdir: Path) -> tuple[Process, dict[str, str], str]:
    """moto_server with a table of BENCH_LEADS items; the headers of one signed PutItem, and the
    body template ({{LEAD}}, {{N}} as syncLead's)."""
    import boto3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    port = free_port()
    argv = [str(Path(PYTHON).parent / "moto_server"), "-p", str(port)]
    moto = Process("moto", argv, port, log_path=workdir / "moto.log").start()
    url, credentials = f"http://127.0.0.1:{port}", Credentials("testing", "testing")
    client = boto3.client(
        "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="x"
    )
    client.create_table(
        TableName="leads",
        KeySchema=[{"AttributeName": "Email", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "Email", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    item = {"Email": {"S": "bench{{LEAD}}@example.com"}} | {
        name: {"N" if name == "LeadScore" else "S": value} for name, value in lead_attributes("{{LEAD}}", "{{N}}")
    }
    template = json.dumps({"TableName": "leads", "Item": item})
    headers = {"X-Amz-Target": DYNAMODB_TARGET, "Content-Type": "application/x-amz-json-1.0"}
    request = AWSRequest(method="POST", url=url + "/", data=render(template), headers=headers)
    SigV4Auth(credentials, "dynamodb", "us-east-1").add_auth(request)
    signed = dict(request.headers.items())
    http = Http(port)
    for lead in range(BENCH_LEADS):
        status, body = http.request("POST", "/", render(template, lead, 0), signed)
        if status != 200:
            raise RuntimeError(f"moto PutItem failed: {status} {body[:300]!r}")
    http.close()
    return moto, signed, template


# ---------------------------------------------------------------------------------------------
# What a run costs: CPU of the server's processes, the machine's, the load generator's


def process_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) of each process so far."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return out


def machine_ticks() -> tuple[int, int]:
    """(busy, all) ticks of every core so far (idle and iowait are not busy)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def load_cpu() -> float:
    """CPU seconds of this process (the Python load generator) and its waited-for children (wrk)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


class LockSampler:
    """The instance's advisory lock on PostgreSQL while a run goes on: sessions holding it and waiting
    for it, sampled every PG_SAMPLE_SECONDS from pg_locks."""

    QUERY = (
        "SELECT count(*) FILTER (WHERE granted), count(*) FILTER (WHERE NOT granted) FROM pg_locks "
        "WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )

    def __init__(self, url: str):
        import psycopg

        self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        self.samples: list[tuple[int, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample)

    def _sample(self) -> None:
        while not self.stop.wait(PG_SAMPLE_SECONDS):
            self.samples.append(self.conn.execute(self.QUERY).fetchone())

    def __enter__(self) -> LockSampler:
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.stop.set()
        self.thread.join()
        self.conn.close()

    def summary(self) -> dict:
        n = len(self.samples) or 1
        return {
            "lock_held": sum(1 for held, _ in self.samples if held) / n,
            "lock_waiters": sum(waiting for _, waiting in self.samples) / n,
        }


def costed(process: Process, db: str | None, run, *args) -> dict:
    """`run(*args)`'s result with what it cost: server CPU ms per request, each worker's share of it,
    the machine's busy share, the load generator's CPU ms per request, the advisory lock."""
    pids = process.pids()
    cpu, busy, load = process_cpu(pids), machine_ticks(), load_cpu()
    if db and db.startswith("postgresql"):
        with LockSampler(db) as sampler:
            result = run(*args)
        result.update(sampler.summary())
    else:
        result = run(*args)
    spent = {pid: seconds - cpu[pid] for pid, seconds in process_cpu(pids).items() if pid in cpu}
    now = machine_ticks()
    requests = max(1, result["requests"])
    result.update(
        server_cpu_ms=sum(spent.values()) * 1000 / requests,
        # The busiest process's share of the server's CPU (the supervisor of --workers counts too).
        busiest_share=max(spent.values()) / (sum(spent.values()) or 1),
        machine_busy=(now[0] - busy[0]) / ((now[1] - busy[1]) or 1),
        load_cpu_ms=(load_cpu() - load) * 1000 / requests,
    )
    return result


# ---------------------------------------------------------------------------------------------
# Part 3's load generator


def drive(port: int, path: str, template: str, headers: dict[str, str], seconds: float, clients: int = CLIENTS) -> dict:
    """`clients` threads, one connection each (opened again when the server closes it), posting
    `template` with {{LEAD}}/{{N}} filled per request, for `seconds` or MAX_REQUESTS requests."""
    numbers = count()
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failed = [0] * clients
    deadline = time.monotonic() + seconds

    def client(slot: int) -> None:
        http = Http(port, timeout=30)
        while time.monotonic() < deadline:
            n = next(numbers)
            if n >= MAX_REQUESTS:
                break
            started = time.perf_counter()
            status, _ = http.request("POST", path, render(template, n % BENCH_LEADS, n), headers)
            latencies[slot].append((time.perf_counter() - started) * 1000)
            failed[slot] += status != 200
        http.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(slot,)) for slot in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [ms for slot in latencies for ms in slot]
    return {
        "rps": len(every) / (time.monotonic() - started),
        "p50_ms": percentile(every, 50),
        "p99_ms": percentile(every, 99),
        "requests": len(every),
        "non_2xx": sum(failed),
    }


# ---------------------------------------------------------------------------------------------
# The section


def stores(workdir: Path, drops: list) -> dict[str, list[str]]:
    """A database per worker count: a SQLite file each, and a PostgreSQL database each when a server is named."""
    out = {"sqlite": [f"sqlite:///{workdir}/workers-{n}.db" for n in WORKERS]}
    server = postgres_server()
    if server:
        out["postgresql"] = []
        for _ in WORKERS:
            url, drop = import_rows.postgres_database(server)
            drops.append(drop)
            out["postgresql"].append(url)
    else:
        log("MOCKMKTO_TEST_POSTGRES_URL is not set: PostgreSQL is left out")
    return out


def run(opts, workdir: Path) -> dict:
    rounds = max(opts.rounds, 2 if opts.quick else 3)
    processes: list[Process] = []
    drops: list = []
    try:
        servers = {}
        for store, dbs in stores(workdir, drops).items():
            for n, db in zip(WORKERS, dbs, strict=True):
                process = mockmkto_serve(f"workers-{store}-{n}", db, n, workdir)
                processes.append(process.start())
                throughput.prepare_mock(process.port)
                servers[(store, n)] = (process, db)
        moto, moto_headers, moto_template = start_moto(workdir)
        processes.append(moto)
        for (store, n), (process, _) in servers.items():
            log(f"warm-up {store} --workers {n}")
            wrk(process.port, envelope(OPS["syncLead"]), CLIENTS, 2, workdir)
        runs = []
        soap_headers = {"Content-Type": "text/xml; charset=utf-8"}
        for round_ in range(rounds):
            for op, template in OPS.items():
                for (store, n), (process, db) in servers.items():
                    body = envelope(template)
                    result = costed(process, db, wrk, process.port, body, CLIENTS, opts.duration, workdir)
                    runs.append(result | {"part": "wrk", "op": op, "store": store, "workers": n, "round": round_})
                    log_run(runs[-1])
            # Part 3: the same Python load generator for moto and mockmkto (one and two workers).
            targets = [("moto", 0, moto, None, "/", moto_headers, moto_template)]
            for (store, n), (process, db) in servers.items():
                if n <= 2:
                    targets.append((store, n, process, db, SOAP_PATH, soap_headers, envelope(OPS["syncLead"])))
            for store, n, process, db, path, headers, template in targets:
                result = costed(process, db, drive, process.port, path, template, headers, opts.duration)
                runs.append(result | {"part": "python", "op": "syncLead", "store": store, "workers": n})
                runs[-1]["round"] = round_
                log_run(runs[-1])
        rss = {f"{store}-{n}": process.peak_rss_mb() for (store, n), (process, _) in servers.items()}
    finally:
        for process in processes:
            process.stop()
        for drop in drops:
            drop()
    result = {"runs": runs, "rounds": rounds, "rss_mb": rss, "imports": imports(opts, workdir)}
    if opts.only and "throughput" not in opts.only.split(","):
        log("the floor: throughput.py at 8 clients")
        result["throughput"] = throughput.run(_at_clients(opts, CLIENTS), workdir)
    return result


def _at_clients(opts, clients: int):
    from argparse import Namespace

    return Namespace(**(vars(opts) | {"clients": [clients]}))


def imports(opts, workdir: Path) -> dict:
    """import_rows.py's imports and getLead during the largest, on each store."""
    sizes = [100_000] if opts.quick else [10_000, 100_000]
    gets = 100 if opts.quick else 300
    out = {"sqlite": import_rows.run(f"sqlite:///{workdir / 'imports.db'}", "sqlite", sizes, gets, workdir)}
    server = postgres_server()
    if server:
        url, drop = import_rows.postgres_database(server)
        try:
            out["postgresql"] = import_rows.run(url, "postgresql", sizes, gets, workdir)
        finally:
            drop()
    return out


def log_run(r: dict) -> None:
    log(
        f"{r['part']:6} {r['op']:8} {r['store']:10} w={r['workers']} {r['rps']:7.0f} req/s p99 {r['p99_ms']:7.1f} ms "
        f"cpu {r['server_cpu_ms']:.2f} ms/req busy {r['machine_busy']:.0%} busiest {r['busiest_share']:.0%} "
        f"lock {r.get('lock_held', float('nan')):.0%}/{r.get('lock_waiters', float('nan')):.1f} non-2xx {r['non_2xx']}"
    )


# ---------------------------------------------------------------------------------------------
# Figures for the report


def ratios(runs: list[dict], mine: dict, base: dict, metric: str = "rps") -> list[float]:
    """Per-round ratios of the runs matching `mine` to those matching `base`."""

    def pick(match: dict) -> dict[int, float]:
        return {r["round"]: r[metric] for r in runs if all(r.get(k) == v for k, v in match.items())}

    a, b = pick(mine), pick(base)
    return [a[k] / b[k] for k in sorted(a) if k in b and b[k]]


def medians(runs: list[dict], match: dict, metrics: tuple[str, ...]) -> dict[str, float]:
    chosen = [r for r in runs if all(r.get(k) == v for k, v in match.items())]
    return {m: median([r[m] for r in chosen if m in r]) for m in metrics}
