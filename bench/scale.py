"""Section 5: mockmkto with 10k, 100k and 1M leads in a SQLite file.

Leads are seeded with the bulk path (mockmkto/domain/bulk.py) in a child process; then
`mockmkto serve`'s server (waitress) runs on the file and answers getLead by Email and by Id
(sequential, one keep-alive client) and pages through every lead with getMultipleLeads (batchSize
1000). The first, middle and last seeded leads are read back and compared with what was seeded.
"""

from __future__ import annotations

import json
import random
import re
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    PYTHON,
    SERVE_SERVER,
    Http,
    bench_server,
    envelope,
    get_lead_params,
    get_multiple_leads_params,
    log,
    summary,
    timed,
)

LOOKUPS = 300
PAGE_SIZE = 1000


def synthetic_lead(i: int) -> dict[str, str]:
    """Lead number i of the scale data: 10 attributes, in their stored form."""
    return {
        "Email": f"lead{i}@scale.example.com",
        "FirstName": f"First{i}",
        "LastName": f"Last{i}",
        "Company": f"Company {i % 5000}",
        "Title": "Engineer",
        "City": "Springfield",
        "Country": "US",
        "LeadScore": str(i % 100),
        "Phone": f"+1 555 {i:07d}",
        "SFDCLeadId": f"00Q{i:012d}",
    }


def seed(db_path: str, count: int) -> None:
    """Child process: default seed, then `count` leads through the bulk path; prints JSON."""
    from mockmkto.config import DEFAULT_SEED
    from mockmkto.domain.bulk import insert_leads
    from mockmkto.domain.instance import Instance
    from mockmkto.domain.seed_format import read_seed_file

    instance = Instance("default", f"sqlite:///{db_path}", seed=read_seed_file(DEFAULT_SEED))
    started, cpu = time.perf_counter(), time.process_time()
    ids = insert_leads(instance.store, instance.clock, (synthetic_lead(i) for i in range(count)))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    instance.store.close()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "first_id": ids.start,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def verify(http: Http, first_id: int, count: int) -> list[str]:
    """Problems found reading seeded leads back by Email and by Id (an empty list when none)."""
    problems = []
    for i in sorted({0, count // 2, count - 1}):
        expected = synthetic_lead(i)
        for key_type, value in (("EMAIL", expected["Email"]), ("IDNUM", str(first_id + i))):
            status, body = http.soap(envelope(get_lead_params(key_type, value)))
            text = body.decode()
            got = dict(re.findall(r"<attrName>(\w+)</attrName><attrType>\w+</attrType><attrValue>([^<]*)<", text))
            got["Email"] = (re.search(r"<Email>([^<]*)</Email>", text) or [None, None])[1]
            lead_id = (re.search(r"<Id>(\d+)</Id>", text) or [None, "0"])[1]
            if status != 200 or got != expected or int(lead_id) != first_id + i:
                problems.append(f"getLead {key_type} {value}: {status} id {lead_id} {got}")
    return problems


def lookups(http: Http, first_id: int, count: int, rng: random.Random, n: int) -> dict:
    out = {}
    for key_type in ("EMAIL", "IDNUM"):
        latencies = []
        for _ in range(n):
            i = rng.randrange(count)
            value = f"lead{i}@scale.example.com" if key_type == "EMAIL" else str(first_id + i)
            body = envelope(get_lead_params(key_type, value))
            ms, (status, answer) = timed(lambda body=body: http.soap(body))
            if status != 200:
                raise RuntimeError(f"getLead {key_type} {value} failed: {answer[:300]!r}")
            latencies.append(ms)
        out[key_type] = summary(latencies)
    return out


def paging(http: Http, count: int, limit_seconds: float) -> dict:
    """getMultipleLeads over every lead updated in the last day; stops after limit_seconds."""
    oldest = (datetime.now(UTC) - timedelta(days=1)).isoformat(timespec="seconds")
    position, fetched, pages, page_ms = "", 0, 0, []
    started = time.perf_counter()
    while True:
        request = envelope(get_multiple_leads_params(oldest, position, PAGE_SIZE))
        ms, (status, body) = timed(lambda request=request: http.soap(request))
        if status != 200:
            raise RuntimeError(f"getMultipleLeads failed: {body[:300]!r}")
        page_ms.append(ms)
        fetched += int(re.search(rb"<returnCount>(\d+)</returnCount>", body)[1])
        pages += 1
        position = (re.search(rb"<newStreamPosition>([^<]*)</newStreamPosition>", body) or [None, b""])[1].decode()
        if not position or time.perf_counter() - started > limit_seconds:
            break
    seconds = time.perf_counter() - started
    return {
        "leads": fetched,
        "pages": pages,
        "seconds": seconds,
        "leads_per_s": fetched / seconds,
        "complete": not position,
        "page_ms": summary(page_ms),
        "first_page_ms": page_ms[0],
        "last_page_ms": page_ms[-1],
    }


def run(opts, workdir: Path) -> dict:
    rng = random.Random(7)
    sizes = {}
    for count in opts.scale:
        db = workdir / f"scale-{count}.db"
        log(f"seeding {count} leads")
        done = subprocess.run(
            [PYTHON, __file__, "seed", str(db), str(count)], capture_output=True, text=True, timeout=1800
        )
        if done.returncode:
            raise RuntimeError(f"seeding failed:\n{done.stderr[-3000:]}")
        seeded = json.loads(done.stdout.strip().splitlines()[-1])
        log(f"seeded {count} leads in {seeded['seconds']:.1f} s (cpu {seeded['cpu_seconds']:.1f} s)")
        process = bench_server(f"scale-{count}", "mockmkto", SERVE_SERVER, workdir, db=f"sqlite:///{db}").start()
        try:
            http = Http(process.port, timeout=600)
            problems = verify(http, seeded["first_id"], count)
            lookups(http, seeded["first_id"], count, rng, 20)
            latency = lookups(http, seeded["first_id"], count, rng, 100 if opts.quick else LOOKUPS)
            pages = paging(http, count, 45 if opts.quick else 120)
            http.close()
            rss = process.peak_rss_mb()
        finally:
            process.stop()
        size = sum(p.stat().st_size for p in workdir.glob(f"scale-{count}.db*"))
        sizes[count] = {
            "seed": seeded,
            "verify_problems": problems,
            "getLead_ms": latency,
            "paging": pages,
            "server_peak_rss_mb": rss,
            "db_mb": size / 2**20,
        }
        log(
            f"{count} leads: getLead EMAIL p50 {latency['EMAIL']['p50']:.2f} ms, IDNUM p50 "
            f"{latency['IDNUM']['p50']:.2f} ms; paging {pages['leads_per_s']:.0f} leads/s "
            f"({'all' if pages['complete'] else 'partial'}); RSS {rss:.0f} MB; DB {size / 2**20:.0f} MB; "
            f"verify {'ok' if not problems else problems}"
        )
        db.unlink(missing_ok=True)
    return {"sizes": sizes}


if __name__ == "__main__" and sys.argv[1:2] == ["seed"]:
    seed(sys.argv[2], int(sys.argv[3]))
