"""Section 4: POST /_admin/reset?seed=default latency, and what one test costs on top of its work.

Against one running server (`mockmkto serve`'s cheroot, a SQLite file and in memory): a few
hundred resets; then 1,000 iterations of what a test does (reset + syncLead + getLead). When the
pytest plugin is installed: pytest running 1,000 generated tests that take its `mockmkto`
fixture against 1,000 empty tests, interleaved, and the difference per test.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import time
from pathlib import Path

from common import (
    PYTHON,
    SERVE_SERVER,
    Http,
    bench_server,
    envelope,
    get_lead_params,
    log,
    median,
    summary,
    sync_lead_params,
    timed,
)


def reset_latency(http: Http, count: int) -> tuple[dict, dict]:
    client, server = [], []
    for _ in range(count):
        ms, (status, body) = timed(lambda: http.request("POST", "/_admin/reset?seed=default"))
        if status != 200:
            raise RuntimeError(f"reset failed: {status} {body[:200]!r}")
        client.append(ms)
        server.append(json.loads(body)["ms"])
    return summary(client), summary(server)


def per_test(http: Http, count: int) -> dict:
    """reset + syncLead (update of a seed lead, 10 attributes) + getLead, as one test would."""
    sync_template = envelope(sync_lead_params("{{LEAD}}", "{{N}}").replace("bench{{LEAD}}@", "ada@"))
    get_body = envelope(get_lead_params("EMAIL", "ada@example.com"))
    steps: dict[str, list[float]] = {"reset": [], "syncLead": [], "getLead": [], "total": []}
    for n in range(count):
        started = time.perf_counter()
        sync_body = sync_template.replace("{{LEAD}}", "0").replace("{{N}}", str(n))
        for step, call in (
            ("reset", lambda: http.request("POST", "/_admin/reset?seed=default")),
            ("syncLead", lambda body=sync_body: http.soap(body)),
            ("getLead", lambda: http.soap(get_body)),
        ):
            ms, (status, body) = timed(call)
            if status != 200:
                raise RuntimeError(f"{step} failed: {status} {body[:300]!r}")
            steps[step].append(ms)
        steps["total"].append((time.perf_counter() - started) * 1000)
    return {step: summary(values) for step, values in steps.items()}


def plugin_overhead(workdir: Path, tests: int, rounds: int) -> dict | None:
    if importlib.util.find_spec("mockmkto.pytest_plugin") is None:
        return None
    files = {}
    for kind, signature in (("empty", "()"), ("fixture", "(mockmkto)")):
        path = workdir / f"plugin_{kind}" / f"test_{kind}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text("".join(f"def test_{i}{signature}:\n    pass\n\n\n" for i in range(tests)))
        files[kind] = path
    walls: dict[str, list[float]] = {"empty": [], "fixture": []}
    for _ in range(rounds):
        for kind, path in files.items():
            started = time.perf_counter()
            done = subprocess.run(
                [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
                capture_output=True,
                text=True,
                cwd=path.parent,
            )
            wall = time.perf_counter() - started
            if done.returncode != 0:
                raise RuntimeError(f"pytest on {path} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
            walls[kind].append(wall)
            log(f"pytest {tests} {kind} tests: {wall:.2f} s")
    diffs = [(f - e) * 1000 / tests for f, e in zip(walls["fixture"], walls["empty"], strict=True)]
    return {"tests": tests, "walls_s": walls, "overhead_ms_per_test": median(diffs)}


def run(opts, workdir: Path) -> dict:
    resets = 100 if opts.quick else 300
    iterations = 200 if opts.quick else 1000
    out: dict = {"resets": resets, "iterations": iterations}
    for label, db in (("file", f"sqlite:///{workdir}/reset.db"), ("memory", "sqlite://")):
        process = bench_server(f"reset-{label}", "mockmkto", SERVE_SERVER, workdir, db=db).start()
        try:
            http = Http(process.port)
            reset_latency(http, 10)
            client, server = reset_latency(http, resets)
            test = per_test(http, iterations)
            http.close()
        finally:
            process.stop()
        out[label] = {"reset_client_ms": client, "reset_server_ms": server, "per_test_ms": test}
        log(
            f"reset ({label}) p50 {client['p50']:.2f} p99 {client['p99']:.2f} ms; "
            f"reset+syncLead+getLead p50 {test['total']['p50']:.2f} ms"
        )
    out["plugin"] = plugin_overhead(workdir, iterations, 1 if opts.quick else 2)
    return out
