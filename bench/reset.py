"""Section 4: POST /_admin/reset?seed=default latency, and what one test costs on top of its work.

Against one running server (`mockmkto serve`'s cheroot, a SQLite file and in memory): a few
hundred resets; then 1,000 iterations of what a test does (reset + syncLead + getLead). When the
pytest plugin is installed: pytest running 1,000 generated tests that take its `mockmkto`
fixture (doing nothing, or building a zeep client, syncing and reading a lead) against 1,000
empty tests, interleaved, and the difference per test; beside it moto's equivalent (mock_aws and
boto3) when moto is installed.
"""

from __future__ import annotations

import importlib.util
import json
import resource
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


# What the generated tests do: the issue 19.7 test (a new zeep client, one lead synced and read back),
# and moto's own equivalent (mock_aws, a new boto3 client, one object put and read back).
ZEEP_PRELUDE = """
def sync_then_get(mockmkto):
    client = mockmkto.zeep_client()
    client.service.syncLead(leadRecord={"Email": "ada@example.com"}, returnLead=False)
    assert client.service.getLead(leadKey={"keyType": "EMAIL", "keyValue": "ada@example.com"}).count == 1
"""
MOTO_PRELUDE = """
import boto3
from moto import mock_aws


def put_then_get():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench")
        s3.put_object(Bucket="bench", Key="ada", Body=b"ada@example.com")
        assert s3.get_object(Bucket="bench", Key="ada")["Body"].read() == b"ada@example.com"
"""


def _test_file(workdir: Path, kind: str, tests: int, argument: str, body: str, prelude: str = "") -> Path:
    path = workdir / f"plugin_{kind}" / f"test_{kind}.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(prelude + "".join(f"\n\ndef test_{i}({argument}):\n    {body}\n" for i in range(tests)))
    return path


def plugin_overhead(workdir: Path, tests: int, rounds: int) -> dict | None:
    """Per test, against empty tests of the same count run in the same rounds: the bare fixture, the
    zeep test, and (when moto is installed) moto's equivalent, on fewer tests (it is 20 times slower)."""
    if importlib.util.find_spec("mockmkto.pytest_plugin") is None:
        return None
    moto_tests = max(tests // 10, 20)
    suites = {
        "empty": (tests, _test_file(workdir, "empty", tests, "", "pass")),
        "fixture": (tests, _test_file(workdir, "fixture", tests, "mockmkto", "pass")),
        "zeep": (tests, _test_file(workdir, "zeep", tests, "mockmkto", "sync_then_get(mockmkto)", ZEEP_PRELUDE)),
    }
    if importlib.util.find_spec("moto") and importlib.util.find_spec("boto3"):
        suites["moto_empty"] = (moto_tests, _test_file(workdir, "moto_empty", moto_tests, "", "pass"))
        suites["moto"] = (moto_tests, _test_file(workdir, "moto", moto_tests, "", "put_then_get()", MOTO_PRELUDE))
    walls: dict[str, list[float]] = {kind: [] for kind in suites}
    # CPU seconds (user + system) of each pytest run: what a test costs where others share the cores.
    cpus: dict[str, list[float]] = {kind: [] for kind in suites}
    for _ in range(rounds):
        for kind, (count, path) in suites.items():
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run(
                [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
                capture_output=True,
                text=True,
                cwd=path.parent,
            )
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                raise RuntimeError(f"pytest on {path} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
            walls[kind].append(wall)
            cpus[kind].append(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime)
            log(f"pytest {count} {kind} tests: {wall:.2f} s, {cpus[kind][-1]:.2f} s CPU")

    def per_test_ms(kind: str, baseline: str, seconds: dict[str, list[float]] = walls) -> list[float]:
        count = suites[kind][0]
        return [(k - b) * 1000 / count for k, b in zip(seconds[kind], seconds[baseline], strict=True)]

    out = {
        "tests": tests,
        "walls_s": walls,
        "overhead_ms_per_test": median(per_test_ms("fixture", "empty")),
        "cpu_s": cpus,
        "zeep_test_ms": median(per_test_ms("zeep", "empty")),
        "zeep_test_cpu_ms": median(per_test_ms("zeep", "empty", cpus)),
    }
    if "moto" in suites:
        ratios = [z / m for z, m in zip(per_test_ms("zeep", "empty"), per_test_ms("moto", "moto_empty"), strict=True)]
        out |= {
            "moto_tests": moto_tests,
            "moto_test_ms": median(per_test_ms("moto", "moto_empty")),
            "moto_test_cpu_ms": median(per_test_ms("moto", "moto_empty", cpus)),
            "zeep_vs_moto": median(ratios),
        }
    return out


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
