"""importToList in the background: rows a second and linearity, and what a large import costs
the calls made meanwhile.

Against `mockmkto serve`'s server (bench/serve.py) on a SQLite file, and on PostgreSQL when
MOCKMKTO_TEST_POSTGRES_URL names a server (a database of its own is made there and dropped):
imports of 10,000 / 50,000 / 100,000 new leads into a static list, each timed from the call to
the poll of getImportToListStatus that finds every row applied (polled every 50 ms); then
getLead latency alone, and while a 100,000-row import is being applied, in the same run.

    bench/.venv/bin/python bench/import_rows.py [--sizes 10000,50000,100000] [--gets 300]
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
import uuid
from xml.sax.saxutils import escape

from common import Http, bench_server, envelope, get_lead_params, log, summary, work_dir

HEADER = "Last Name,First Name,Email Address"
STATUS = envelope(
    "<ns1:paramsGetImportToListStatus><programName>Trav-Demo-Program</programName>"
    "<listName>Trav-Other-List</listName></ns1:paramsGetImportToListStatus>"
)


def import_params(rows: int) -> str:
    items = "".join(f"<stringItem>{escape(f'Last{n},First{n},user{n}@example.com')}</stringItem>" for n in range(rows))
    return (
        "<ns1:paramsImportToList><programName>Trav-Demo-Program</programName>"
        f"<importFileHeader>{HEADER}</importFileHeader><importFileRows>{items}</importFileRows>"
        "<importListMode>UPSERTLEADS</importListMode><listName>Trav-Other-List</listName>"
        "<clearList>false</clearList></ns1:paramsImportToList>"
    )


def applied(http: Http) -> int:
    """Rows of the latest import applied so far (imported, failed or ignored)."""
    status, body = http.soap(STATUS)
    if status != 200:
        raise RuntimeError(f"getImportToListStatus failed: {status} {body[:300]!r}")
    text = body.decode()
    return sum(int(text.split(f"<{name}>")[1].split("<")[0]) for name in ("rowsImported", "rowsFailed", "rowsIgnored"))


def timed_import(http: Http, rows: int, body: str) -> dict:
    """Reset, then one import: seconds to the call's answer and to every row applied."""
    status, _ = http.request("POST", "/_admin/reset?seed=default")
    assert status == 200
    started = time.perf_counter()
    status, answer = http.soap(body)
    if status != 200:
        raise RuntimeError(f"importToList failed: {status} {answer[:300]!r}")
    answered = time.perf_counter() - started
    while applied(http) < rows:
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    return {"rows": rows, "call_s": answered, "seconds": seconds, "rows_per_s": rows / seconds}


def get_lead_latency(port: int, stop: threading.Event, count: int, out: list[float]) -> None:
    http = Http(port)
    body = envelope(get_lead_params("EMAIL", "ada@example.com"))
    while len(out) < count and not stop.is_set():
        started = time.perf_counter()
        status, _ = http.soap(body)
        assert status == 200
        out.append((time.perf_counter() - started) * 1000)
    http.close()


def during_import(http: Http, port: int, rows: int, body: str, gets: int) -> dict:
    """getLead latency alone, then while an import of `rows` rows is applied."""
    alone: list[float] = []
    get_lead_latency(port, threading.Event(), gets, alone)
    during: list[float] = []
    stop = threading.Event()
    http.request("POST", "/_admin/reset?seed=default")
    http.soap(body)
    reader = threading.Thread(target=get_lead_latency, args=(port, stop, 10**9, during))
    reader.start()
    while applied(http) < rows:
        time.sleep(0.05)
    stop.set()
    reader.join()
    return {"alone": summary(alone), "during": summary(during)}


def run(db: str, label: str, sizes: list[int], gets: int, workdir) -> dict:
    server = bench_server(f"import-{label}", "mockmkto", "waitress", workdir, db=db, quiet=True).start()
    try:
        http = Http(server.port, timeout=600)
        bodies = {rows: envelope(import_params(rows)) for rows in sizes}
        trials = []
        for rows in sizes:
            trials.append(timed_import(http, rows, bodies[rows]))
            log(label, trials[-1])
        latency = during_import(http, server.port, max(sizes), bodies[max(sizes)], gets)
        log(label, "getLead", latency)
        return {"imports": trials, "getLead": latency}
    finally:
        server.stop()


def postgres_database(server_url: str):
    """A database of this run's own on the server, and how to drop it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"mockmkto_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server_url).set(database=name).render_as_string(hide_password=False), drop


def report(label: str, result: dict) -> None:
    trials = {t["rows"]: t for t in result["imports"]}
    smallest, largest = min(trials), max(trials)
    print(f"\n{label}")
    for rows, t in sorted(trials.items()):
        answered, applied_in, rate = t["call_s"], t["seconds"], t["rows_per_s"]
        print(f"  {rows:>7} rows: answered in {answered:.2f} s, applied in {applied_in:.1f} s, {rate:,.0f} rows/s")
    ratio = trials[largest]["seconds"] / trials[smallest]["seconds"]
    print(f"  time {largest:,} / {smallest:,} rows: {ratio:.1f}x for {largest / smallest:.1f}x the rows")
    alone, during = result["getLead"]["alone"], result["getLead"]["during"]
    print(
        f"  getLead p50 {alone['p50']:.1f} ms alone, {during['p50']:.1f} ms during the import ({during['n']} calls), "
        f"p99 {alone['p99']:.1f} / {during['p99']:.1f} ms: p50 x{during['p50'] / alone['p50']:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--gets", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    workdir = work_dir(keep=False)
    results = {"sqlite": run(f"sqlite:///{workdir / 'imports.db'}", "sqlite", sizes, args.gets, workdir)}
    postgres = os.environ.get("MOCKMKTO_TEST_POSTGRES_URL")
    if postgres:
        url, drop = postgres_database(postgres)
        try:
            results["postgresql"] = run(url, "postgresql", sizes, args.gets, workdir)
        finally:
            drop()
    for label, result in results.items():
        report(label, result)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
