"""Section 3: from process start to the first successful call, mockmkto against moto_server.

Both are polled the same way (a fresh connection every 5 ms until the call succeeds):
mockmkto with a signed syncLead (`python -m mockmkto serve` on a new SQLite file, so the time
includes creating the schema and loading seed_data/default.json), moto_server with an S3
ListBuckets (its backends load on first use, so the first call is part of its start).
mockmkto's bytecode is compiled first, as a pip or Docker install has it (moto's came with pip):
a checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile every module at every start.
"""

from __future__ import annotations

import http.client
import subprocess
import time
from pathlib import Path

from common import PYTHON, ROOT, SOAP_PATH, envelope, free_port, log, median, render, sync_lead_params

POLL_SECONDS = 0.005
GIVE_UP_SECONDS = 60
S3_AUTH = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"


def first_success(argv: list[str], port: int, call, log_path: Path) -> dict:
    """Seconds from Popen to the first call that `call` judges a success."""
    with open(log_path, "wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
        try:
            attempts = 0
            while time.perf_counter() - started < GIVE_UP_SECONDS:
                if process.poll() is not None:
                    raise RuntimeError(f"{argv[0]} exited with {process.returncode}; see {log_path}")
                attempts += 1
                try:
                    if call(port):
                        total = time.perf_counter() - started
                        break
                except (OSError, http.client.HTTPException):
                    pass
                time.sleep(POLL_SECONDS)
            else:
                raise TimeoutError(f"{argv} gave no successful answer in {GIVE_UP_SECONDS} s")
            return {"seconds": total, "attempts": attempts}
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def sync_lead_call(body: bytes):
    def call(port: int) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("POST", SOAP_PATH, body, {"Content-Type": "text/xml; charset=utf-8"})
            response = conn.getresponse()
            return response.status == 200 and b"successSyncLead" in response.read()
        finally:
            conn.close()

    return call


def list_buckets(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/", headers={"Authorization": S3_AUTH})
        response = conn.getresponse()
        return response.status == 200 and b"ListAllMyBucketsResult" in response.read()
    finally:
        conn.close()


def run(opts, workdir: Path) -> dict:
    trials = 2 if opts.quick else 5
    moto = Path(PYTHON).parent / "moto_server"
    body = envelope(render(sync_lead_params(), 0, 1).replace("bench0@", "ada@")).encode()
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "mockmkto")], check=True)
    runs: dict[str, list[float]] = {"mockmkto_file": [], "mockmkto_memory": [], "moto_server": []}
    for trial in range(trials):
        for name in runs:
            port = free_port()
            if name == "moto_server":
                if not moto.exists():
                    continue
                argv, call = [str(moto), "-p", str(port)], list_buckets
            else:
                db = f"sqlite:///{workdir}/cold-{trial}.db" if name == "mockmkto_file" else "sqlite://"
                argv = [PYTHON, "-m", "mockmkto", "serve", "--port", str(port), "--db", db]
                call = sync_lead_call(body)
            result = first_success(argv, port, call, workdir / f"cold-{name}-{trial}.log")
            runs[name].append(result["seconds"])
            log(f"cold start {name:16} {result['seconds'] * 1000:7.0f} ms ({result['attempts']} polls)")
    if not runs["moto_server"]:
        log("moto_server is not installed (pip install -r bench/requirements.txt): no comparison")
    ratios = [m / o for m, o in zip(runs["mockmkto_file"], runs["moto_server"], strict=False) if o]
    return {
        "runs": runs,
        "median_s": {name: median(values) for name, values in runs.items()},
        "ratio_to_moto": median(ratios),
        "import_s": import_time(),
    }


def import_time() -> dict:
    """Seconds to import each package in a fresh interpreter (the median of 3), for the report."""
    out = {}
    for name, module in (("python", "sys"), ("mockmkto.app", "mockmkto.app"), ("moto.server", "moto.server")):
        times = []
        for _ in range(3):
            started = time.perf_counter()
            done = subprocess.run([PYTHON, "-c", f"import {module}"], capture_output=True)
            if done.returncode:
                break
            times.append(time.perf_counter() - started)
        out[name] = median(times) if times else None
    return out
