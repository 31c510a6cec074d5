"""Sections 1 and 2: mockmkto against the floor and WireMock under keep-alive load from wrk.

Four servers run side by side (mockmkto, the floor and a stock Spyne syncLead echo on one HTTP
server, by default waitress with 8 threads as `mockmkto serve` runs it, and WireMock on the JVM);
wrk loads one at a time, interleaved, so a drift in the machine's load hits all of them alike.
waitress and cheroot keep connections alive; `--server werkzeug` (Werkzeug's threaded development server)
answers every request with `Connection: close`, so there each request is a new connection and a
new thread.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from common import (
    BENCH,
    BENCH_LEADS,
    SOAP_PATH,
    Http,
    Process,
    bench_server,
    envelope,
    fault_code,
    free_port,
    get_lead_params,
    log,
    median,
    render,
    request_campaign_params,
    sync_lead_params,
    sync_mobjects_params,
    wrk,
)

OPS = ("syncLead", "getLead", "requestCampaign", "syncMObjects")
PARAMS_ELEMENT = {op: f"params{op[0].upper()}{op[1:]}" for op in OPS}


def prepare_mock(port: int) -> tuple[dict[str, str], dict[str, str], dict[str, int | None]]:
    """Create the bench leads and opportunities; return each op's params template, its canned
    answer (mockmkto's own) and the fault code a sample call got (None when it succeeded)."""
    http = Http(port)
    lead_ids = []
    for lead in range(BENCH_LEADS):
        status, body = http.soap(envelope(render(sync_lead_params(), lead, 0)))
        if status != 200:
            raise RuntimeError(f"syncLead of bench lead {lead} failed: {body[:300]!r}")
        lead_ids.append(int(re.search(rb"<leadId>(\d+)</leadId>", body)[1]))
    templates = {
        "syncLead": sync_lead_params(),
        "getLead": get_lead_params(),
        "requestCampaign": request_campaign_params(lead_ids[:10]),
    }
    inserts = sync_mobjects_params([(None, f"Bench Opp {i}") for i in range(10)], "INSERT")
    status, body = http.soap(envelope(render(inserts, 0, 1)))
    opportunity_ids = [int(i) for i in re.findall(rb"<mObjStatus><id>(\d+)</id>", body)]
    if len(opportunity_ids) == 10:
        templates["syncMObjects"] = sync_mobjects_params(
            [(i, f"Bench Opp {n}") for n, i in enumerate(opportunity_ids)], "UPDATE"
        )
    else:
        templates["syncMObjects"] = sync_mobjects_params([(None, f"Bench Opp {i}") for i in range(10)], "UPSERT")
    canned, faults = {}, {}
    for op, template in templates.items():
        status, body = http.soap(envelope(render(template, 1, 1)))
        faults[op] = fault_code(body)
        canned[PARAMS_ELEMENT[op]] = body.decode()
    http.close()
    return templates, canned, faults


def wiremock_jar() -> Path | None:
    jars = sorted((BENCH / "node_modules" / "wiremock").glob("**/wiremock-standalone-*.jar"))
    return jars[-1] if jars else None


def start_wiremock(workdir: Path, canned_sync_lead: str) -> Process:
    port = free_port()
    # Its files root in the work folder: by default WireMock makes `mappings/` and `__files/` in the
    # current directory, the checkout.
    root = workdir / "wiremock-root"
    root.mkdir(exist_ok=True)
    argv = ["java", "-jar", str(wiremock_jar()), "--port", str(port), "--no-request-journal", "--disable-banner"]
    argv += ["--root-dir", str(root)]
    process = Process("wiremock", argv, port, log_path=workdir / "wiremock.log").start(timeout=120)
    stub = {
        "request": {"method": "POST", "urlPath": SOAP_PATH, "bodyPatterns": [{"contains": "paramsSyncLead"}]},
        "response": {
            "status": 200,
            "body": canned_sync_lead,
            "headers": {"Content-Type": "text/xml; charset=utf-8"},
        },
    }
    http = Http(port)
    status, body = http.request("POST", "/__admin/mappings", json.dumps(stub), {"Content-Type": "application/json"})
    if status != 201:
        raise RuntimeError(f"WireMock refused the stub: {status} {body[:200]!r}")
    http.close()
    return process


def run(opts, workdir: Path) -> dict:
    mock = bench_server("tp-mockmkto", "mockmkto", opts.server, workdir, db=f"sqlite:///{workdir}/throughput.db")
    processes = [mock.start()]
    try:
        templates, canned, faults = prepare_mock(mock.port)
        canned_file = workdir / "canned.json"
        canned_file.write_text(json.dumps(canned))
        floor = bench_server("tp-floor", "floor", opts.server, workdir, canned=canned_file)
        processes.append(floor.start())
        # Spyne's own path (echo.py): the ceiling issue 7 set its targets by, on the same server.
        echo = bench_server("tp-echo", "echo", opts.server, workdir)
        processes.append(echo.start())
        targets = {"mockmkto": mock, "floor": floor, "echo": echo}
        if wiremock_jar() is not None:
            targets["wiremock"] = start_wiremock(workdir, canned[PARAMS_ELEMENT["syncLead"]])
            processes.append(targets["wiremock"])
        else:
            log("WireMock's jar is missing (npm install --prefix bench): section 2 skipped")
        for name, process in targets.items():
            seconds = 8 if name == "wiremock" and not opts.quick else 2
            log(f"warm-up {name} {seconds} s")
            wrk(process.port, envelope(templates["syncLead"]), 8, seconds, workdir)
        runs: list[dict] = []
        for clients in opts.clients:
            for round_ in range(opts.rounds):
                for op in OPS:
                    names = ["floor", "mockmkto"]
                    if op == "syncLead":
                        names += [name for name in ("echo", "wiremock") if name in targets]
                    for name in names:
                        result = wrk(targets[name].port, envelope(templates[op]), clients, opts.duration, workdir)
                        result.update(target=name, op=op, clients=clients, round=round_)
                        runs.append(result)
                        log(
                            f"{op:15} {name:9} c={clients:<3} {result['rps']:8.0f} req/s "
                            f"p50 {result['p50_ms']:6.2f} p99 {result['p99_ms']:7.2f} ms non-2xx {result['non_2xx']}"
                        )
        return {"runs": runs, "faults": faults, "server": opts.server, "rss_mb": mock.peak_rss_mb()}
    finally:
        for process in processes:
            process.stop()


def table(result: dict) -> dict:
    """Medians over rounds and ratios of paired runs (same round, same clients)."""
    runs = result["runs"]
    out: dict = {}
    for run_ in runs:
        key = (run_["op"], run_["target"], run_["clients"])
        out.setdefault(key, []).append(run_)

    def med(op, target, clients, metric):
        return median([r[metric] for r in out.get((op, target, clients), [])])

    def ratio(op, target, base_target, clients, metric, base_op=None):
        mine = {r["round"]: r[metric] for r in out.get((op, target, clients), [])}
        base = {r["round"]: r[metric] for r in out.get((base_op or op, base_target, clients), [])}
        return median([mine[k] / base[k] for k in mine if k in base and base[k]])

    return {"med": med, "ratio": ratio, "clients": sorted({r["clients"] for r in runs})}


def chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = table(result)
    clients = t["clients"]
    series = [
        ("floor (syncLead body)", "syncLead", "floor", "tab:gray", "--"),
        ("WireMock canned syncLead", "syncLead", "wiremock", "tab:orange", "-."),
        ("stock Spyne syncLead echo", "syncLead", "echo", "tab:brown", "--"),
        ("mockmkto syncLead", "syncLead", "mockmkto", "tab:blue", "-"),
        ("mockmkto getLead", "getLead", "mockmkto", "tab:green", "-"),
        ("mockmkto requestCampaign", "requestCampaign", "mockmkto", "tab:purple", ":"),
        ("mockmkto syncMObjects", "syncMObjects", "mockmkto", "tab:red", ":"),
    ]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    for label, op, target, colour, style in series:
        rps = [t["med"](op, target, c, "rps") for c in clients]
        p99 = [t["med"](op, target, c, "p99_ms") for c in clients]
        if all(v != v for v in rps):  # all NaN: not measured in this run
            continue
        left.plot(clients, rps, style, marker="o", color=colour, label=label)
        right.plot(clients, p99, style, marker="o", color=colour, label=label)
    for axis, title, unit in ((left, "Throughput", "requests/s"), (right, "p99 latency", "ms")):
        axis.set_xscale("log", base=2)
        axis.set_xticks(clients, [str(c) for c in clients])
        axis.set_xlabel("concurrent clients (wrk connections)")
        axis.set_ylabel(unit)
        axis.set_title(title)
        axis.grid(True, alpha=0.3)
    left.set_yscale("log")
    right.set_yscale("log")
    left.legend(fontsize=8)
    figure.suptitle(f"mockmkto vs the floor vs WireMock (loopback, 2 cores; mockmkto and floor on {result['server']})")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def wiremock_version() -> str:
    jar = wiremock_jar()
    return jar.stem.rsplit("-", 1)[-1] if jar else "absent"


def java_version() -> str:
    out = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    return out.splitlines()[0] if out else "unknown"
