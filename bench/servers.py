"""Section 6: the HTTP server `mockmkto serve` runs (waitress) among the candidates, and where a
request's time goes.

Each server runs mockmkto (on its own SQLite WAL file; gunicorn's two workers share theirs) and
the floor; wrk drives syncLead at 8 clients, servers and apps interleaved round by round. Then a
signed syncLead's answer time on cheroot and waitress alone and with 24 slow connections open (each
sent half a request's headers and then nothing). Then two profiles of the request path: cProfile
inside one process (the app called as WSGI, no HTTP; deterministic shares per stage) and py-spy
sampling `mockmkto serve`'s server under wrk load (how much is the HTTP server itself).
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from common import (
    BENCH_LEADS,
    PYTHON,
    SERVE_SERVER,
    SOAP_PATH,
    Http,
    bench_server,
    envelope,
    get_lead_params,
    log,
    median,
    render,
    sync_lead_params,
    wrk,
)
from throughput import prepare_mock

# waitress is what `mockmkto serve` runs (SERVE_SERVER), cheroot 8 threads the server before it;
# "-1cpu" the same with the process held to one CPU (as `taskset -c N` would); werkzeug is
# Werkzeug's threaded development server (it closes the connection after every answer), "-quiet"
# the same without its log line per request; gunicorn gthread 2 workers x 4 threads.
SERVERS = ("werkzeug", "werkzeug-quiet", "cheroot", "cheroot-1cpu", "waitress", "waitress-1cpu", "gunicorn")
CLIENTS = 8
# Slow connections held open while a syncLead is timed (issue 16: 8 of them stalled cheroot).
SLOW_CLIENTS = 24

# Stages of one SOAP request: (label, file suffix, function) whose cumulative time is the stage's.
STAGES = (
    ("whole app (WSGI call)", "mockmkto/app.py", "__call__"),
    ("SOAP envelope parse (lxml)", "mockmkto/soap/protocol.py", "create_in_document"),
    ("SOAP header/body split", "mockmkto/soap/protocol.py", "decompose_incoming_envelope"),
    ("authentication (signature, user lookup)", "mockmkto/domain/auth.py", "authenticate"),
    ("params deserialization (Spyne)", "spyne/server/_base.py", "get_in_object"),
    ("operation incl. domain and its SQL", "spyne/server/_base.py", "get_out_object"),
    ("  domain: syncLead", "mockmkto/domain/leads.py", "sync_lead"),
    ("  domain: getLead", "mockmkto/domain/leads.py", "get_leads"),
    ("  lead schema load (per call)", "mockmkto/domain/lead_fields.py", "lead_schema"),
    ("  find matching lead", "mockmkto/domain/leads.py", "find_match"),
    ("  write lead + activities (flush)", "mockmkto/domain/leads.py", "write_lead"),
    ("  lead views", "mockmkto/domain/leads.py", "views"),
    ("response serialization (Spyne)", "spyne/server/_base.py", "get_out_string_pull"),
    ("session begin + commit", "mockmkto/store/db.py", "_turn_session"),
    ("request journal", "mockmkto/admin/journal.py", "record"),
    ("all SQLAlchemy statement execution", "sqlalchemy/engine/base.py", "_execute_context"),
    ("prepared SELECTs (store/prepared.py)", "mockmkto/store/prepared.py", "rows"),
    ("sqlite3 execute (C), through SQLAlchemy", "~", "<method 'execute' of 'sqlite3.Cursor' objects>"),
    ("sqlite3 execute (C), prepared", "~", "<method 'execute' of 'sqlite3.Connection' objects>"),
)


def compare_servers(opts, workdir: Path) -> dict:
    processes, pairs = [], {}
    try:
        for server in SERVERS:
            base = server.split("-")[0]
            quiet, one_cpu = server.endswith("-quiet"), server.endswith("-1cpu")
            mock = bench_server(
                f"srv-{server}-mockmkto",
                "mockmkto",
                base,
                workdir,
                db=f"sqlite:///{workdir}/srv-{server}.db",
                quiet=quiet,
                one_cpu=one_cpu,
            )
            processes.append(mock.start())
            template, canned, _ = prepare_mock_sync_lead(mock.port)
            canned_file = workdir / f"canned-{server}.json"
            canned_file.write_text(json.dumps(canned))
            floor = bench_server(
                f"srv-{server}-floor", "floor", base, workdir, canned=canned_file, quiet=quiet, one_cpu=one_cpu
            )
            processes.append(floor.start())
            pairs[server] = (floor, mock, template)
            for process in (floor, mock):
                wrk(process.port, envelope(template), CLIENTS, 2, workdir)
        runs = []
        for round_ in range(opts.rounds):
            for server, (floor, mock, template) in pairs.items():
                for name, process in (("floor", floor), ("mockmkto", mock)):
                    result = wrk(process.port, envelope(template), CLIENTS, opts.duration, workdir)
                    result.update(server=server, target=name, round=round_)
                    runs.append(result)
                    log(
                        f"{server:15} {name:9} {result['rps']:8.0f} req/s p50 {result['p50_ms']:6.2f} "
                        f"p99 {result['p99_ms']:7.2f} ms non-2xx {result['non_2xx']} errors {result['errors']}"
                    )
        rss = {server: pair[1].peak_rss_mb() for server, pair in pairs.items()}
        twins = {server: parallel_creates(pair[1].port, server) for server, pair in pairs.items()}
    finally:
        for process in processes:
            process.stop()
    summary = {}
    for server in SERVERS:
        mine = [r for r in runs if r["server"] == server]
        by_round = {(r["target"], r["round"]): r for r in mine}
        ratios = [
            by_round[("mockmkto", k)]["rps"] / by_round[("floor", k)]["rps"]
            for k in range(opts.rounds)
            if ("mockmkto", k) in by_round and ("floor", k) in by_round
        ]
        summary[server] = {
            target: {
                metric: median([r[metric] for r in mine if r["target"] == target])
                for metric in ("rps", "p50_ms", "p99_ms")
            }
            | {"non_2xx": sum(r["non_2xx"] for r in mine if r["target"] == target)}
            for target in ("floor", "mockmkto")
        }
        summary[server]["ratio"] = median(ratios)
        summary[server]["mockmkto_peak_rss_mb"] = rss[server]
        summary[server]["leads_per_parallel_create"] = twins[server]
    return {"runs": runs, "summary": summary}


def parallel_creates(port: int, label: str, clients: int = 8, trials: int = 3) -> list[int]:
    """How many leads `clients` simultaneous syncLead calls of one new Email create (Marketo: one)."""
    counts = []
    for trial in range(trials):
        email = f"parallel-{label}-{trial}@example.com"
        body = envelope(render(sync_lead_params(), 0, 1).replace("bench0@example.com", email))
        barrier = threading.Barrier(clients)

        def call(body=body, barrier=barrier):
            http = Http(port)
            barrier.wait()
            http.soap(body)
            http.close()

        threads = [threading.Thread(target=call) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        http = Http(port)
        counts.append(json.loads(http.request("GET", f"/_admin/leads?email={email}")[1])["total"])
        http.close()
    log(f"{label}: {clients} parallel syncLead of one new Email created {counts} leads")
    return counts


def slow_clients(opts, workdir: Path) -> dict:
    """A signed syncLead's answer time (one keep-alive client, 20 calls), then again while
    SLOW_CLIENTS connections hold half a request's headers; a call unanswered after 15 s counts as 15 s."""
    out = {}
    for server in ("cheroot", SERVE_SERVER):
        mock = bench_server(f"slow-{server}", "mockmkto", server, workdir, db=f"sqlite:///{workdir}/slow-{server}.db")
        mock.start()
        try:
            template, _, _ = prepare_mock_sync_lead(mock.port)
            body = envelope(template)
            alone = answer_times(mock.port, body, 20)
            held = [socket.create_connection(("127.0.0.1", mock.port)) for _ in range(SLOW_CLIENTS)]
            for sock in held:
                sock.sendall(f"POST {SOAP_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
            slowed = answer_times(mock.port, body, 3 if opts.quick else 5)
            for sock in held:
                sock.close()
        finally:
            mock.stop()
        out[server] = {"alone_p50_ms": median(alone), "with_slow_max_ms": max(slowed), "with_slow_ms": slowed}
        log(
            f"{server}: syncLead p50 {median(alone):.1f} ms alone; with {SLOW_CLIENTS} slow connections "
            + ", ".join(f"{ms:.0f}" for ms in slowed)
            + " ms"
        )
    return out


def answer_times(port: int, body: str, count: int, timeout: float = 15) -> list[float]:
    times = []
    for n in range(count):
        http = Http(port, timeout=timeout)
        started = time.perf_counter()
        try:
            status, _ = http.soap(render(body, n % BENCH_LEADS, n))
            if status != 200:
                raise RuntimeError(f"syncLead answered {status}")
        except TimeoutError:
            pass
        finally:
            http.close()
        times.append(min(timeout, time.perf_counter() - started) * 1000)
    return times


def prepare_mock_sync_lead(port: int) -> tuple[str, dict, dict]:
    templates, canned, faults = prepare_mock(port)
    return templates["syncLead"], canned, faults


# ---------------------------------------------------------------------------------------------
# Profiles


def wsgi_caller(app):
    def call(body: bytes) -> tuple[str, bytes]:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": SOAP_PATH,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "CONTENT_TYPE": "text/xml; charset=utf-8",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        status = []
        answer = b"".join(app(environ, lambda s, h: status.append(s)))
        return status[0], answer

    return call


def stage_times(profile: cProfile.Profile, requests: int) -> list[dict]:
    stats = pstats.Stats(profile).stats
    whole = None
    out = []
    for label, suffix, function in STAGES:
        # The largest match: several functions of one name in one file would otherwise count twice.
        cumulative = max(
            (entry[3] for (file, _, name), entry in stats.items() if name == function and file.endswith(suffix)),
            default=0,
        )
        if not cumulative:
            continue
        whole = whole or cumulative
        out.append({"stage": label, "ms_per_request": cumulative * 1000 / requests, "share": cumulative / whole})
    return out


def top_functions(profile: cProfile.Profile, requests: int, count: int = 15) -> list[dict]:
    stats = pstats.Stats(profile).stats
    ranked = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:count]
    total = sum(entry[2] for entry in stats.values())
    return [
        {
            "function": f"{Path(file).name}:{line} {name}" if file != "~" else name,
            "self_ms_per_request": entry[2] * 1000 / requests,
            "self_share": entry[2] / total,
            "calls_per_request": entry[1] / requests,
        }
        for (file, line, name), entry in ranked
    ]


def profile_in_process(opts, workdir: Path) -> dict:
    """cProfile over syncLead and getLead called through the WSGI app (file DB, signatures checked)."""
    from mockmkto.app import build_app
    from mockmkto.config import DEFAULT_SEED, Config

    app = build_app(Config(db=f"sqlite:///{workdir}/profile.db", seed=DEFAULT_SEED))
    call = wsgi_caller(app)
    for lead in range(BENCH_LEADS):
        call(envelope(render(sync_lead_params(), lead, 0)).encode())
    count = 300 if opts.quick else 1000
    out = {}
    for op, template in (("syncLead", sync_lead_params()), ("getLead", get_lead_params())):
        signed = envelope(template)
        bodies = [render(signed, i % BENCH_LEADS, i + 1).encode() for i in range(count)]
        for body in bodies[:100]:
            call(body)
        started = time.perf_counter()
        for body in bodies:
            status, answer = call(body)
            if not status.startswith("200"):
                raise RuntimeError(f"{op} failed in the profile: {answer[:300]!r}")
        plain_ms = (time.perf_counter() - started) * 1000 / count
        profile = cProfile.Profile()
        profile.enable()
        for body in bodies:
            call(body)
        profile.disable()
        out[op] = {
            "requests": count,
            "unprofiled_ms_per_request": plain_ms,
            "stages": stage_times(profile, count),
            "top_self": top_functions(profile, count),
        }
        log(f"in-process {op}: {plain_ms:.2f} ms per request without the profiler")
    app.instance.store.close()
    return out


def profile_under_load(opts, workdir: Path) -> dict | None:
    """py-spy samples `mockmkto serve`'s server (waitress, 8 threads) while wrk sends syncLead at 8
    clients; only the thread holding the GIL, so the shares are of the Python CPU time."""
    py_spy = shutil.which("py-spy") or str(Path(PYTHON).parent / "py-spy")
    if not Path(py_spy).exists():
        log("py-spy is not installed: no profile under load")
        return None
    mock = bench_server("pyspy-mockmkto", "mockmkto", SERVE_SERVER, workdir, db=f"sqlite:///{workdir}/pyspy.db")
    mock.start()
    try:
        template, _, _ = prepare_mock_sync_lead(mock.port)
        seconds = 4 if opts.quick else 10
        raw = workdir / "pyspy.txt"
        load = threading.Thread(target=wrk, args=(mock.port, envelope(template), CLIENTS, seconds + 2, workdir))
        load.start()
        done = subprocess.run(
            [py_spy, "record", "--pid", str(mock.pid), "--duration", str(seconds), "--rate", "250"]
            + ["--format", "raw", "--output", str(raw), "--gil"],
            capture_output=True,
            text=True,
        )
        load.join()
        if done.returncode or not raw.exists():
            log(f"py-spy failed: {done.stderr.strip()[-300:]}")
            return {"error": done.stderr.strip()[-300:], "server": SERVE_SERVER}
    finally:
        mock.stop()
    return split_samples(raw.read_text()) | {"server": SERVE_SERVER}


def split_samples(collapsed: str) -> dict:
    """Shares of the samples: in the app, in the HTTP server, per stage; and the top leaf frames."""
    buckets = {
        "HTTP server outside the app (parse, socket I/O, threads)": lambda s: "__call__ (mockmkto/app.py" not in s,
        "app: SOAP parse + envelope split": lambda s: "create_in_document" in s or "decompose_incoming" in s,
        "app: authentication": lambda s: "authenticate (mockmkto/domain/auth.py" in s,
        "app: params deserialization": lambda s: "get_in_object" in s,
        "app: operation (domain + SQL)": lambda s: "get_out_object" in s,
        "app: response serialization": lambda s: "get_out_string" in s,
        "app: commit": lambda s: "commit (" in s and "get_out_object" not in s,
        "app: journal": lambda s: "record (mockmkto/admin/journal.py" in s,
    }
    counts = dict.fromkeys(buckets, 0)
    outside: dict[str, int] = {}
    total = 0
    for line in collapsed.splitlines():
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        total += int(number)
        for name, test in buckets.items():
            if test(stack):
                counts[name] += int(number)
        if "__call__ (mockmkto/app.py" not in stack:
            leaf = stack.split(";")[-1] or "(native code)"
            outside[leaf] = outside.get(leaf, 0) + int(number)
    top = sorted(outside.items(), key=lambda item: item[1], reverse=True)[:8]
    return {
        "samples": total,
        "shares": {name: count / total for name, count in counts.items()} if total else {},
        "outside_app_top": [(frame, count / total) for frame, count in top] if total else [],
    }


def run(opts, workdir: Path) -> dict:
    return {
        "servers": compare_servers(opts, workdir),
        "slow_clients": slow_clients(opts, workdir),
        "profile": profile_in_process(opts, workdir),
        "pyspy": profile_under_load(opts, workdir),
    }
