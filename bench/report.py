"""bench/results.md and bench/chart.png from the results of one run.

    python bench/report.py [bench/results.json]    # write them again, e.g. after editing the notes

The part of an existing results.md below the NOTES marker is written by people (findings,
recommendations) and kept when the numbers above it are written again.
"""

from __future__ import annotations

import os
import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path

import throughput
import workers
from common import ROOT, median

NOTES = "<!-- Everything below this line is kept when bench/run.py writes the numbers again. -->"
PACKAGES = ("spyne", "lxml", "SQLAlchemy", "Werkzeug", "waitress", "cheroot", "gunicorn", "moto", "matplotlib")


def _run(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else ""


def machine(opts, argv: list[str]) -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(
        line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line
    )
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "absent"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": " ".join(["python bench/run.py", *argv]),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": versions,
        "wrk": _run(["wrk", "--version"]),
        "java": throughput.java_version(),
        "wiremock": throughput.wiremock_version(),
        "commit": commit(),
        "load_at_start": os.getloadavg(),
        "options": {k: v for k, v in vars(opts).items() if k != "out"},
    }


def commit() -> str:
    dirty = _run(["git", "status", "--porcelain", "--untracked-files=no"])
    return _run(["git", "rev-parse", "--short", "HEAD"]) + (" + uncommitted changes" if dirty else "")


def _f(value, digits: int = 0, unit: str = "") -> str:
    if value is None or value != value:
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def _x(value) -> str:
    return "n/a" if value is None or value != value else f"{value:.2f}x"


def _check(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def write(results: dict, out: Path) -> None:
    meta, sections = results["meta"], results["sections"]
    lines = [
        "# mockmkto benchmark results",
        "",
        "Written by `bench/run.py` (see bench/README.md). Ratios come from runs made side by side in the same",
        "run, interleaved round by round (median of the per-round ratios); absolute numbers are medians, for",
        "reference only: this machine is shared, and its load changes them.",
        "",
        f"- date: {meta['date']}; command: `{meta['command']}`; took {meta.get('seconds', 0) / 60:.1f} min",
        f"- machine: {meta['cpu']}, {meta['cores']} cores, {meta['memory']} memory, Linux {meta['kernel']}",
        f"- load average at start {', '.join(f'{v:.1f}' for v in meta['load_at_start'])}; at end "
        f"{', '.join(f'{v:.1f}' for v in meta['load_at_end'])} (other work on the same 2 cores)",
        f"- Python {meta['python']}; " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
        f"- {meta['wrk']}; {meta['java']}; WireMock {meta['wiremock']}; mockmkto at {meta['commit']}"
        + ("" if meta["commit_at_end"] == meta["commit"] else f" (at {meta['commit_at_end']} when the run ended)"),
        "",
    ]
    targets: list[list[str]] = []
    body: list[str] = []
    for name, render in (
        ("throughput", lambda r: _throughput(r, targets, out)),
        ("coldstart", lambda r: _coldstart(r, targets)),
        ("reset", lambda r: _reset(r, targets)),
        ("scale", lambda r: _scale(r, targets)),
        ("servers", _servers),
        ("workers", lambda r: _workers(r, sections.get("throughput") or r.get("throughput"), targets)),
    ):
        if name in sections:
            section = render(sections[name])
            if sections[name].get("commit", meta["commit"]) != meta["commit"]:
                section[1:1] = ["", f"(This section ran on mockmkto at {sections[name]['commit']}.)"]
            body += section
    lines += ["## Targets of issue 7", ""] + _table(["target", "measured", ""], targets) + [""] + body
    path = out / "results.md"
    kept = ""
    if path.exists() and NOTES in path.read_text():
        kept = path.read_text().split(NOTES, 1)[1]
    path.write_text("\n".join(lines) + "\n" + NOTES + (kept or "\n"))


def _throughput(result: dict, targets: list, out: Path) -> list[str]:
    t = throughput.table(result)
    med, ratio, clients = t["med"], t["ratio"], t["clients"]
    pending = {op for op, code in result["faults"].items() if code == 20019}
    lines = [
        "## 1-2. Throughput against the floor and WireMock",
        "",
        "wrk (one thread, loopback, keep-alive where the server allows) posting each request, signed afresh per run;",
        f"mockmkto on a SQLite WAL file and the floor both on {result['server']}"
        + {
            "cheroot": " (8 threads, keep-alive: the server `mockmkto serve` runs);",
            "werkzeug": " (Werkzeug's threaded development server: it closes the connection after every answer);",
        }.get(result["server"], " (keep-alive);"),
        "syncLead updates one of 100 existing leads (10 attributes, one changes every call, signature checked);",
        "requestCampaign names 10 leads; syncMObjects updates 10 opportunities. WireMock answers a canned",
        "syncLead stub (`--no-request-journal`, after a JIT warm-up).",
        "",
    ]
    rows = []
    for op in throughput.OPS:
        label = op + (" (not implemented yet)" if op in pending else "")
        if result["faults"].get(op) not in (None, 20019):
            label += f" (sample call faulted {result['faults'][op]})"
        for c in clients:
            non_2xx = sum(
                r["non_2xx"]
                for r in result["runs"]
                if r["op"] == op and r["clients"] == c and r["target"] == "mockmkto"
            )
            rows.append(
                [
                    label,
                    str(c),
                    _f(med(op, "mockmkto", c, "rps")),
                    _f(med(op, "floor", c, "rps")),
                    _x(ratio(op, "mockmkto", "floor", c, "rps")),
                    _f(med(op, "mockmkto", c, "p50_ms"), 2),
                    _f(med(op, "mockmkto", c, "p99_ms"), 2),
                    _f(med(op, "floor", c, "p99_ms"), 2),
                    _x(ratio(op, "mockmkto", "floor", c, "p99_ms")),
                    str(non_2xx),
                ]
            )
    lines += _table(
        [
            "operation",
            "clients",
            "mockmkto req/s",
            "floor req/s",
            "ratio",
            "p50 ms",
            "p99 ms",
            "floor p99 ms",
            "p99 ratio",
            "non-2xx",
        ],
        rows,
    )
    lines += ["", "WireMock, canned syncLead:", ""]
    rows = []
    for c in clients:
        rows.append(
            [
                str(c),
                _f(med("syncLead", "wiremock", c, "rps")),
                _f(med("syncLead", "wiremock", c, "p50_ms"), 2),
                _f(med("syncLead", "wiremock", c, "p99_ms"), 2),
                _x(ratio("syncLead", "mockmkto", "wiremock", c, "rps")),
                _x(ratio("syncLead", "mockmkto", "wiremock", c, "p50_ms")),
                _x(ratio("syncLead", "mockmkto", "wiremock", c, "p99_ms")),
                _x(ratio("syncLead", "floor", "wiremock", c, "rps")),
            ]
        )
    lines += _table(
        [
            "clients",
            "WireMock req/s",
            "p50 ms",
            "p99 ms",
            "mockmkto/WireMock req/s",
            "p50 ratio",
            "p99 ratio",
            "floor/WireMock req/s",
        ],
        rows,
    )
    lines += [
        "",
        "Spyne's own path: a bare syncLead echo on stock Spyne (echo.py: Soap11 and WsgiApplication,",
        "no auth, no store), on the same server; issue 7 set its targets by it (0.40x the floor then):",
        "",
    ]
    rows = [
        [
            str(c),
            _f(med("syncLead", "echo", c, "rps")),
            _f(med("syncLead", "echo", c, "p99_ms"), 2),
            _x(ratio("syncLead", "echo", "floor", c, "rps")),
            _x(ratio("syncLead", "mockmkto", "echo", c, "rps")),
            _x(ratio("syncLead", "mockmkto", "echo", c, "p99_ms")),
        ]
        for c in clients
    ]
    lines += _table(
        ["clients", "echo req/s", "echo p99 ms", "echo/floor req/s", "mockmkto/echo req/s", "mockmkto/echo p99"],
        rows,
    )
    lines += ["", f"mockmkto's peak RSS during this section: {_f(result['rss_mb'])} MB.", "", "![chart](chart.png)", ""]
    throughput.chart(result, out / "chart.png")
    at = 8 if 8 in clients else clients[len(clients) // 2]
    sync, get = ratio("syncLead", "mockmkto", "floor", at, "rps"), ratio("getLead", "mockmkto", "floor", at, "rps")
    p99 = ratio("syncLead", "mockmkto", "floor", at, "p99_ms")
    wm = ratio("syncLead", "mockmkto", "wiremock", at, "rps")
    targets += [
        [f"syncLead >= 0.35x the floor at {at} clients", _x(sync), _check(sync >= 0.35 if sync == sync else None)],
        [f"getLead >= 0.38x the floor at {at} clients", _x(get), _check(get >= 0.38 if get == get else None)],
        [f"syncLead p99 <= 4x the floor's at {at} clients", _x(p99), _check(p99 <= 4 if p99 == p99 else None)],
        [f"syncLead >= 0.30x WireMock's req/s at {at} clients", _x(wm), _check(wm >= 0.30 if wm == wm else None)],
    ]
    return lines


def _coldstart(result: dict, targets: list) -> list[str]:
    m = result["median_s"]
    imports = result["import_s"]
    lines = [
        "## 3. Cold start",
        "",
        "From process start to the first successful call, polled every 5 ms (median of the trials):",
        "`python -m mockmkto serve` to a signed syncLead (new SQLite file: schema + default seed; or in memory),",
        "`moto_server` to an S3 ListBuckets.",
        "",
    ]
    lines += _table(
        ["server", "median s", "trials (s)"],
        [[name, _f(value, 3), ", ".join(f"{v:.3f}" for v in result["runs"][name])] for name, value in m.items()],
    )
    lines += [
        "",
        f"mockmkto (file) / moto_server: {_x(result['ratio_to_moto'])}. Import alone, fresh interpreter: "
        + ", ".join(f"{k} {_f(v, 3)} s" for k, v in imports.items())
        + ".",
        "",
    ]
    cold = m.get("mockmkto_file")
    targets += [
        ["cold start <= 1.0 s", _f(cold, 3, " s"), _check(cold <= 1.0 if cold == cold else None)],
        [
            "cold start <= 1/3 of moto_server's",
            _x(result["ratio_to_moto"]),
            _check(result["ratio_to_moto"] <= 1 / 3 if result["ratio_to_moto"] == result["ratio_to_moto"] else None),
        ],
    ]
    return lines


def _reset(result: dict, targets: list) -> list[str]:
    lines = [
        "## 4. Reset and per-test overhead",
        "",
        f"{result['resets']} `POST /_admin/reset?seed=default` on one keep-alive connection (client-side latency;",
        "the server's own figure from its answer beside it), then "
        f"{result['iterations']} iterations of reset + syncLead + getLead, as one test would do.",
        "",
    ]
    rows = []
    for label in ("file", "memory"):
        r = result[label]
        rows.append(
            [
                f"SQLite {label}",
                _f(r["reset_client_ms"]["p50"], 2),
                _f(r["reset_client_ms"]["p99"], 2),
                _f(r["reset_server_ms"]["p50"], 2),
                _f(r["per_test_ms"]["total"]["p50"], 2),
                _f(r["per_test_ms"]["total"]["p99"], 2),
                " / ".join(_f(r["per_test_ms"][s]["p50"], 2) for s in ("reset", "syncLead", "getLead")),
            ]
        )
    lines += _table(
        [
            "store",
            "reset p50 ms",
            "reset p99 ms",
            "server-side p50 ms",
            "test p50 ms",
            "test p99 ms",
            "reset / syncLead / getLead p50 ms",
        ],
        rows,
    )
    plugin = result.get("plugin")
    if plugin:
        lines += [
            "",
            f"pytest plugin: {plugin['tests']} tests taking the `mockmkto` fixture took "
            + ", ".join(f"{v:.2f}" for v in plugin["walls_s"]["fixture"])
            + f" s; {plugin['tests']} empty tests "
            + ", ".join(f"{v:.2f}" for v in plugin["walls_s"]["empty"])
            + f" s: {_f(plugin['overhead_ms_per_test'], 2)} ms more per test.",
        ]
    if plugin and "zeep_test_ms" in plugin:
        lines += [
            "",
            f"A test building `mockmkto.zeep_client()`, syncing a lead and reading it back (the reset is the"
            f" fixture's): {_f(plugin['zeep_test_ms'], 2)} ms more than an empty test"
            f" ({_f(plugin.get('zeep_test_cpu_ms'), 2)} ms of CPU)"
            + (
                f"; moto's equivalent ({plugin['moto_tests']} tests: `mock_aws`, a boto3 S3 client, one object put"
                f" and read back) {_f(plugin['moto_test_ms'], 1)} ms ({_f(plugin.get('moto_test_cpu_ms'), 1)} ms"
                f" of CPU): {plugin['zeep_vs_moto']:.2f}x of moto's."
                if "moto_test_ms" in plugin
                else " (moto is not installed: no comparison)."
            ),
        ]
    if not plugin:
        lines += ["", "The pytest plugin (mockmkto/pytest_plugin.py) was not installed: no plugin figure."]
    lines.append("")
    reset_ms = result["file"]["reset_client_ms"]["p50"]
    targets.append(["reset <= 10 ms (p50, SQLite file)", _f(reset_ms, 2, " ms"), _check(reset_ms <= 10)])
    if plugin:
        overhead = plugin["overhead_ms_per_test"]
        targets.append(["plugin overhead <= 5 ms per test", _f(overhead, 2, " ms"), _check(overhead <= 5)])
    if plugin and "zeep_test_ms" in plugin:
        zeep_ms = plugin["zeep_test_ms"]
        targets.append(["zeep test (client, syncLead, getLead) <= 10 ms", _f(zeep_ms, 2, " ms"), _check(zeep_ms <= 10)])
    return lines


def _scale(result: dict, targets: list) -> list[str]:
    lines = [
        "## 5. Scale",
        "",
        "Leads seeded with mockmkto/domain/bulk.py (one transaction, Core executemany) into a SQLite file, then",
        "served by `mockmkto serve`'s server: getLead by Email and by Id (random leads, one client), paging with",
        "getMultipleLeads (LastUpdateAtSelector, batchSize 1000; stopped after a time limit, then partial), the",
        "server's peak RSS and the DB size. The first, middle and last seeded leads are read back and compared.",
        "",
    ]
    rows = []
    for count, r in sorted(result["sizes"].items(), key=lambda item: int(item[0])):
        p = r["paging"]
        rows.append(
            [
                f"{int(count):,}",
                f"{_f(r['seed']['seconds'], 1)} ({_f(r['seed']['cpu_seconds'], 1)} cpu)",
                f"{_f(r['getLead_ms']['EMAIL']['p50'], 2)} / {_f(r['getLead_ms']['EMAIL']['p99'], 2)}",
                f"{_f(r['getLead_ms']['IDNUM']['p50'], 2)} / {_f(r['getLead_ms']['IDNUM']['p99'], 2)}",
                f"{_f(p['leads_per_s'])}{'' if p['complete'] else ' (partial)'}",
                f"{_f(p['first_page_ms'])} / {_f(p['page_ms']['p50'])}",
                _f(r["server_peak_rss_mb"]),
                _f(r["db_mb"]),
                "ok" if not r["verify_problems"] else "; ".join(r["verify_problems"])[:200],
            ]
        )
    lines += _table(
        [
            "leads",
            "seed s",
            "getLead Email p50/p99 ms",
            "getLead Id p50/p99 ms",
            "paging leads/s",
            "first/median page ms",
            "server peak RSS MB",
            "DB MB",
            "read back",
        ],
        rows,
    )
    lines.append("")
    biggest = max(result["sizes"], key=int)
    r = result["sizes"][biggest]
    n = f"{int(biggest):,}"
    email_p50 = r["getLead_ms"]["EMAIL"]["p50"]
    targets += [
        [f"getLead p50 <= 2 ms at {n} leads (Email)", _f(email_p50, 2, " ms"), _check(email_p50 <= 2)],
        [f"paging >= 20k leads/s at {n}", _f(r["paging"]["leads_per_s"]), _check(r["paging"]["leads_per_s"] >= 20000)],
        [f"peak RSS <= 300 MB at {n}", _f(r["server_peak_rss_mb"], 0, " MB"), _check(r["server_peak_rss_mb"] <= 300)],
        [f"seeding {n} leads <= 60 s", _f(r["seed"]["seconds"], 1, " s"), _check(r["seed"]["seconds"] <= 60)],
    ]
    return lines


def _servers(result: dict) -> list[str]:
    summary = result["servers"]["summary"]
    lines = [
        "## 6. Serving path",
        "",
        "syncLead at 8 clients on each candidate server, mockmkto and the floor on the same server, interleaved.",
        "cheroot = `mockmkto serve` (8 threads, one process, keep-alive); cheroot-1cpu = the same held to one",
        "CPU (as `taskset -c N` would; the other core is left to wrk); werkzeug = Werkzeug's threaded",
        "development server (run_simple; it closes the connection after every answer, one log line per request);",
        "werkzeug-quiet = the same without the log line; waitress with 8 threads; gunicorn gthread 2 workers x 4",
        "threads sharing one SQLite WAL file. Last column: after the load, 8 simultaneous syncLead calls of one",
        "new Email, three times; Marketo creates one lead each time.",
        "",
    ]
    rows = [
        [
            server,
            _f(s["mockmkto"]["rps"]),
            _f(s["mockmkto"]["p50_ms"], 2),
            _f(s["mockmkto"]["p99_ms"], 2),
            str(s["mockmkto"]["non_2xx"]),
            _f(s["floor"]["rps"]),
            _f(s["floor"]["p99_ms"], 2),
            _x(s["ratio"]),
            _f(s["mockmkto_peak_rss_mb"]),
            ", ".join(str(n) for n in s.get("leads_per_parallel_create", [])),
        ]
        for server, s in summary.items()
    ]
    lines += _table(
        [
            "server",
            "mockmkto req/s",
            "p50 ms",
            "p99 ms",
            "non-2xx",
            "floor req/s",
            "floor p99 ms",
            "ratio",
            "mockmkto RSS MB",
            "leads from 8 parallel creates",
        ],
        rows,
    )
    # The base is cheroot, what `mockmkto serve` runs; werkzeug when cheroot was not measured.
    bases = {"cheroot": "cheroot (`mockmkto serve`)", "werkzeug": "werkzeug (cheroot was not measured)"}
    for base_server, base_label in bases.items():
        base = summary.get(base_server, {}).get("mockmkto", {}).get("rps")
        if base and base == base:
            lines += [
                "",
                f"mockmkto req/s relative to {base_label}: "
                + ", ".join(f"{server} {_x(s['mockmkto']['rps'] / base)}" for server, s in summary.items())
                + ".",
            ]
            break
    lines += ["", "### Where a request's time goes (cProfile, in process, WSGI call without HTTP)", ""]
    for op, profile in result["profile"].items():
        lines += [
            f"{op}: {_f(profile['unprofiled_ms_per_request'], 2)} ms per request without the profiler "
            f"({profile['requests']} requests); stages with the profiler on (nested rows are part of the row above):",
            "",
        ]
        lines += _table(
            ["stage", "ms/request (profiled)", "share"],
            [[s["stage"], _f(s["ms_per_request"], 2), f"{s['share'] * 100:.0f}%"] for s in profile["stages"]],
        )
        lines += ["", "Top functions by own time:", ""]
        lines += _table(
            ["function", "own ms/request", "share", "calls/request"],
            [
                [
                    f"`{t['function']}`",
                    _f(t["self_ms_per_request"], 3),
                    f"{t['self_share'] * 100:.1f}%",
                    _f(t["calls_per_request"], 1),
                ]
                for t in profile["top_self"][:12]
            ],
        )
        lines.append("")
    pyspy = result.get("pyspy")
    if pyspy and pyspy.get("shares"):
        lines += [
            # Runs written before the key existed sampled Werkzeug's server.
            f"### Under load (py-spy, {pyspy.get('server', 'werkzeug')} server, syncLead at 8 clients)",
            "",
            f"{pyspy['samples']} samples of the thread holding the GIL (py-spy --gil): shares of Python's CPU time.",
            "",
        ]
        lines += _table(["where", "share of samples"], [[k, f"{v * 100:.0f}%"] for k, v in pyspy["shares"].items()])
        lines += ["", "Outside the app, the frames on top of the stack:", ""]
        lines += _table(
            ["frame", "share of all samples"],
            [[f"`{frame}`", f"{share * 100:.1f}%"] for frame, share in pyspy.get("outside_app_top", [])],
        )
        lines.append("")
    return lines


def _spread(values: list[float]) -> str:
    """Median and range of per-round ratios."""
    if not values:
        return "n/a"
    return f"{_x(median(values))} ({min(values):.2f}-{max(values):.2f})"


def _workers(result: dict, floor_result: dict | None, targets: list) -> list[str]:
    runs = result["runs"]
    lines = [
        "## 7. Workers, PostgreSQL, moto's DynamoDB, large imports (issue 15.6)",
        "",
        f"`mockmkto serve --workers N`, wrk at {workers.CLIENTS} clients (keep-alive), {result['rounds']} interleaved",
        "rounds; syncLead updates one of 100 existing leads (LeadScore changes every call), getLead reads one",
        "by Email. Ratios: the median of per-round ratios to one worker on the same store (range in brackets).",
        "CPU: all the server's processes per request; busiest: the busiest process's share of that CPU;",
        "machine busy: of both cores, whoever used them; lock: share of samples with PostgreSQL's advisory",
        "lock held, and the mean number of sessions waiting for it.",
        "",
    ]
    rows = []
    for op in workers.OPS:
        for store in sorted({r["store"] for r in runs if r["part"] == "wrk"}, reverse=True):
            for n in workers.WORKERS:
                match = {"part": "wrk", "op": op, "store": store, "workers": n}
                m = workers.medians(runs, match, ("rps", "p99_ms", "server_cpu_ms", "busiest_share", "machine_busy"))
                lock = workers.medians(runs, match, ("lock_held", "lock_waiters"))
                rows.append(
                    [
                        op,
                        store,
                        str(n),
                        _f(m["rps"]),
                        _spread(workers.ratios(runs, match, match | {"workers": 1})),
                        _f(m["p99_ms"], 1),
                        _f(m["server_cpu_ms"], 2),
                        f"{m['busiest_share'] * 100:.0f}%",
                        f"{m['machine_busy'] * 100:.0f}%",
                        ""
                        if lock["lock_held"] != lock["lock_held"]
                        else f"{lock['lock_held'] * 100:.0f}% / {lock['lock_waiters']:.1f}",
                    ]
                )
                if n == 2:
                    two = workers.ratios(runs, match, match | {"workers": 1})
                    ok = median(two) >= 1.4 if two else None
                    targets.append([f"15.6: {op}, 2 workers >= 1.4x one ({store})", _spread(two), _check(ok)])
    lines += _table(
        ["op", "store", "workers", "req/s", "x 1 worker", "p99 ms", "CPU ms/req", "busiest", "machine busy", "lock"],
        rows,
    )
    if floor_result:
        tp = floor_result["runs"]
        base = {"op": "syncLead", "clients": workers.CLIENTS}
        floor = workers.ratios(tp, base | {"target": "mockmkto"}, base | {"target": "floor"})
        lines += [
            "",
            f"One process against the floor (the throughput section: {floor_result['server']}, a SQLite file),",
            f"syncLead at {workers.CLIENTS} clients: {_spread(floor)}.",
        ]
        targets.append(
            ["15.6: syncLead >= 0.32x the floor, one process (SQLite)", _spread(floor), _check(median(floor) >= 0.32)]
        )
    lines += [
        "",
        "moto_server's DynamoDB PutItem (one of 100 items, the 10 attributes of a syncLead; signed once, moto checks",
        "no signature; moto answers `Connection: close`, so every call is a new connection) against mockmkto's",
        f"syncLead, both driven by one Python load generator ({workers.CLIENTS} threads), interleaved:",
        "",
    ]
    rows = []
    moto = {"part": "python", "store": "moto"}
    for store, n in [("moto", 0)] + sorted(
        {(r["store"], r["workers"]) for r in runs if r["part"] == "python" and r["workers"]},
        key=lambda pair: (pair[0] != "sqlite", pair[1]),
    ):
        match = {"part": "python", "store": store, "workers": n}
        m = workers.medians(runs, match, ("rps", "p99_ms", "server_cpu_ms", "load_cpu_ms"))
        label = "moto_server PutItem" if store == "moto" else f"mockmkto {store}, {n} worker{'s' if n > 1 else ''}"
        against = workers.ratios(runs, match, moto)
        rows.append(
            [
                label,
                _f(m["rps"]),
                _spread(against),
                _f(m["p99_ms"], 1),
                _f(m["server_cpu_ms"], 2),
                _f(m["load_cpu_ms"], 2),
            ]
        )
        if n == 1:
            goal = 2 if store == "sqlite" else 1
            targets.append(
                [
                    f"15.6: syncLead >= {goal}x moto's PutItem ({store}, 1 worker)",
                    _spread(against),
                    _check(median(against) >= goal),
                ]
            )
    lines += _table(["server", "req/s", "x moto", "p99 ms", "server CPU ms/req", "load generator CPU ms/req"], rows)
    lines += [
        "",
        "importToList (bench/import_rows.py), new leads into a static list, from the call to every row applied:",
        "",
    ]
    rows = []
    for store, r in result["imports"].items():
        for t in r["imports"]:
            rows.append([store, f"{t['rows']:,}", _f(t["call_s"], 2), _f(t["seconds"], 1), _f(t["rows_per_s"])])
    lines += _table(["store", "rows", "call answered s", "all applied s", "rows/s"], rows)
    lines += [""] + [
        f"getLead on {store}, one client: p50 {_f(r['getLead']['alone']['p50'], 2)} ms alone, "
        f"{_f(r['getLead']['during']['p50'], 2)} ms during the largest import; "
        f"p99 {_f(r['getLead']['alone']['p99'], 1)} / {_f(r['getLead']['during']['p99'], 1)} ms."
        for store, r in result["imports"].items()
    ]
    lines.append("")
    return lines


if __name__ == "__main__":
    import json
    import sys

    source = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "results.json"
    write(json.loads(source.read_text()), source.parent)
