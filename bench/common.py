"""What every benchmark section shares: SOAP bodies, signing, server processes, wrk, statistics."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mockmkto.config import DEFAULT_SEED
from mockmkto.domain.auth import sign
from mockmkto.domain.seed_format import read_seed_file

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
SOAP_PATH = "/soap/mktows/2_6"
TNS = "http://www.marketo.com/mktows/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_user = read_seed_file(DEFAULT_SEED)["users"][0]
USER_ID, SECRET = _user["userId"], _user["secret"]
# Leads the load works on: bench<i>@example.com, i in [0, BENCH_LEADS). {{LEAD}} in a body picks
# one per request (round robin) and {{N}} is the request's sequence number, so every syncLead is
# a real update of an existing lead.
BENCH_LEADS = 100
# The HTTP server `mockmkto serve` runs (mockmkto/serving.py: waitress, 8 threads, one process);
# bench/serve.py's `waitress` is that very server.
SERVE_SERVER = "waitress"


def log(*parts) -> None:
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# SOAP requests


def envelope(params: str) -> str:
    """A signed request: the signature is made now and stays valid for the mock's +-15 minutes."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:ns1="{TNS}">'
        "<SOAP-ENV:Header><ns1:AuthenticationHeader>"
        f"<mktowsUserId>{USER_ID}</mktowsUserId>"
        f"<requestSignature>{sign(SECRET, stamp, USER_ID)}</requestSignature>"
        f"<requestTimestamp>{stamp}</requestTimestamp>"
        "</ns1:AuthenticationHeader></SOAP-ENV:Header>"
        f"<SOAP-ENV:Body>{params}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )


def lead_attributes(lead: str, n: str) -> list[tuple[str, str]]:
    """The 10 attributes syncLead sends; LeadScore changes with every request."""
    return [
        ("FirstName", f"Bench{lead}"),
        ("LastName", "Marker"),
        ("Company", "Bench Corp"),
        ("Title", "Load Tester"),
        ("City", "Springfield"),
        ("State", "IL"),
        ("Country", "US"),
        ("Industry", "Software"),
        ("LeadSource", "Benchmark"),
        ("LeadScore", n),
    ]


def sync_lead_params(lead: str = "{{LEAD}}", n: str = "{{N}}") -> str:
    attributes = "".join(
        f"<attribute><attrName>{name}</attrName><attrValue>{value}</attrValue></attribute>"
        for name, value in lead_attributes(lead, n)
    )
    return (
        f"<ns1:paramsSyncLead><leadRecord><Email>bench{lead}@example.com</Email>"
        f"<leadAttributeList>{attributes}</leadAttributeList></leadRecord>"
        "<returnLead>false</returnLead></ns1:paramsSyncLead>"
    )


def get_lead_params(key_type: str = "EMAIL", value: str = "bench{{LEAD}}@example.com") -> str:
    return (
        f"<ns1:paramsGetLead><leadKey><keyType>{key_type}</keyType><keyValue>{value}</keyValue></leadKey>"
        "</ns1:paramsGetLead>"
    )


def request_campaign_params(lead_ids: list[int], campaign_id: int = 2001) -> str:
    keys = "".join(f"<leadKey><keyType>IDNUM</keyType><keyValue>{i}</keyValue></leadKey>" for i in lead_ids)
    return (
        f"<ns1:paramsRequestCampaign><source>MKTOWS</source><campaignId>{campaign_id}</campaignId>"
        f"<leadList>{keys}</leadList></ns1:paramsRequestCampaign>"
    )


def sync_mobjects_params(objects: list[tuple[int | None, str]], operation: str, amount: str = "{{N}}") -> str:
    """Opportunities: (id or None, name) each, with Amount (changing per request when {{N}})."""
    items = "".join(
        "<mObject><type>Opportunity</type>"
        + (f"<id>{object_id}</id>" if object_id is not None else "")
        + f"<attribList><attrib><name>Name</name><value>{name}</value></attrib>"
        f"<attrib><name>Amount</name><value>{amount}</value></attrib></attribList></mObject>"
        for object_id, name in objects
    )
    return (
        f"<ns1:paramsSyncMObjects><mObjectList>{items}</mObjectList>"
        f"<operation>{operation}</operation></ns1:paramsSyncMObjects>"
    )


def get_multiple_leads_params(oldest: str, position: str = "", batch_size: int = 1000) -> str:
    stream = f"<streamPosition>{position}</streamPosition>" if position else ""
    return (
        '<ns1:paramsGetMultipleLeads><leadSelector xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:type="ns1:LastUpdateAtSelector"><oldestUpdatedAt>{oldest}</oldestUpdatedAt></leadSelector>'
        f"{stream}<batchSize>{batch_size}</batchSize></ns1:paramsGetMultipleLeads>"
    )


def render(template: str, lead: int = 0, n: int = 0) -> str:
    return template.replace("{{LEAD}}", str(lead)).replace("{{N}}", str(n))


def fault_code(body: bytes) -> int | None:
    """The serviceException code of a fault body, None for a success."""
    if b"Fault>" not in body:
        return None
    start = body.find(b"<code>")
    return int(body[start + 6 : body.find(b"</code>", start)]) if start >= 0 else -1


# ---------------------------------------------------------------------------------------------
# HTTP


class Http:
    """One keep-alive connection."""

    def __init__(self, port: int, timeout: float = 60):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None):
        if isinstance(body, str):
            body = body.encode()
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            raise

    def soap(self, body: str, path: str = SOAP_PATH) -> tuple[int, bytes]:
        return self.request("POST", path, body, {"Content-Type": "text/xml; charset=utf-8"})

    def close(self) -> None:
        self.conn.close()


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


# ---------------------------------------------------------------------------------------------
# Processes


@dataclass
class Process:
    """A server started by the benchmark, in its own process group, stopped by its own pid."""

    name: str
    argv: list[str]
    port: int
    env: dict[str, str] | None = None
    log_path: Path | None = None
    popen: subprocess.Popen | None = field(default=None, repr=False)

    def start(self, timeout: float = 90) -> Process:
        out = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        self.popen = subprocess.Popen(
            self.argv, stdout=out, stderr=subprocess.STDOUT, env=self.env, cwd=ROOT, start_new_session=True
        )
        wait_port(self.port, timeout, self.popen)
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid

    def pids(self) -> list[int]:
        """This process and its descendants (gunicorn's workers)."""
        found, frontier = [], [self.pid]
        while frontier:
            pid = frontier.pop()
            found.append(pid)
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                children = []
            frontier.extend(int(child) for child in children)
        return found

    def peak_rss_mb(self) -> float:
        """Peak resident memory (VmHWM), summed over the process and its workers."""
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        except ProcessLookupError:
            pass


def bench_server(
    name: str,
    app: str,
    server: str,
    workdir: Path,
    db: str | None = None,
    canned: Path | None = None,
    quiet: bool = False,
    one_cpu: bool = False,
) -> Process:
    """bench/serve.py running `app` (mockmkto, floor or echo) on `server`, on a free port."""
    port = free_port()
    argv = [PYTHON, str(BENCH / "serve.py"), "--app", app, "--server", server, "--port", str(port)]
    if db:
        argv += ["--db", db]
    if canned:
        argv += ["--canned", str(canned)]
    if quiet:
        argv.append("--quiet")
    if one_cpu:
        argv.append("--one-cpu")
    return Process(name, argv, port, log_path=workdir / f"{name}.log")


def work_dir(keep: bool) -> Path:
    path = Path(tempfile.mkdtemp(prefix="mockmkto-bench-"))
    if not keep:
        import atexit

        atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


# ---------------------------------------------------------------------------------------------
# wrk


def wrk(port: int, body_template: str, connections: int, seconds: float, workdir: Path, path: str = SOAP_PATH) -> dict:
    """Keep-alive load from wrk (one thread) posting the body; {{LEAD}}/{{N}} are filled per request."""
    body_file = workdir / f"body-{port}-{connections}.xml"
    body_file.write_text(body_template)
    argv = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(BENCH / "load.lua"),
        f"http://127.0.0.1:{port}{path}",
        "--",
        str(body_file),
        str(BENCH_LEADS),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    line = next((line for line in done.stdout.splitlines() if line.startswith("{")), None)
    if done.returncode or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    stats = json.loads(line)
    seconds_run = stats["duration_us"] / 1e6
    errors = stats["connect_errors"] + stats["read_errors"] + stats["write_errors"] + stats["timeouts"]
    return {
        "rps": stats["requests"] / seconds_run,
        "p50_ms": stats["p50_us"] / 1000,
        "p99_ms": stats["p99_us"] / 1000,
        "requests": stats["requests"],
        "errors": errors,
        "non_2xx": stats["status_errors"],
    }


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


# ---------------------------------------------------------------------------------------------
# Statistics


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p99": percentile(values, 99),
        "mean": statistics.fmean(values) if values else float("nan"),
        "max": max(values) if values else float("nan"),
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
