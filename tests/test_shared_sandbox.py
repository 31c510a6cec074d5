"""A shared sandbox: several `mockmkto serve` processes over one database behave as one Marketo
instance. Four processes (as on four hosts) take hundreds of concurrent calls on overlapping leads;
then the invariants hold, on SQLite and on PostgreSQL: one lead per new key, no acknowledged change
lost, a fault count, a quota and the clone limit consumed exactly once, every call journalled once."""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle

import pytest
import requests
from lxml import etree
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from werkzeug.test import Client

from mockmkto.app import build_app
from mockmkto.config import DEFAULT_SEED, Config
from mockmkto.domain import imports, lead_views
from mockmkto.domain.instance import Instance
from mockmkto.store.db import Store
from tests.servers import Server, children, eventually, running, start_servers
from tests.soap import envelope, fault_code
from tests.stores import PrivateCluster, store_url

pytestmark = pytest.mark.slow

PROCESSES = 4
CLIENTS = 32
ADA = "ada@example.com"
GET_ADA = (
    f"<ns1:paramsGetLead><leadKey><keyType>EMAIL</keyType><keyValue>{ADA}</keyValue></leadKey></ns1:paramsGetLead>"
)
FIELDS = [
    "FirstName", "MiddleName", "LastName", "Salutation", "Title", "Company", "Phone", "MobilePhone", "Fax",
    "Website", "Address", "City", "State", "Country", "PostalCode", "Industry", "LeadSource", "LeadStatus",
    "Rating", "InferredCompany",
]  # fmt: skip


@pytest.fixture(scope="module")
def processes(request, store_kind, tmp_path_factory):
    if store_kind == "sqlite":
        db = f"sqlite:///{tmp_path_factory.mktemp('sandbox') / 'shared.db'}"
    else:
        db = store_url(store_kind, request.getfixturevalue("postgres_databases"), "sandbox")
    servers = start_servers(db, PROCESSES, {"MOCKMKTO_JOURNAL_CAP": "100000"})
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def sandbox(processes) -> list[Server]:
    """The processes, their shared instance back at the default seed (reset through one of them)."""
    requests.post(f"{processes[-1].base}/_admin/reset?seed=default", timeout=30).raise_for_status()
    return processes


def call_all(servers: list[Server], bodies: list[str]) -> list[etree._Element]:
    """Each body POSTed once, round robin over the processes, from CLIENTS threads at once."""
    targets = list(zip(cycle(servers), bodies, strict=False))

    def post(target: tuple[Server, str]) -> etree._Element:
        server, body = target
        response = requests.post(server.url, data=envelope(body).encode(), headers={"Content-Type": "text/xml"})
        return etree.fromstring(response.content)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return list(pool.map(post, targets))


def sync_lead(record: str, cookie: str = "") -> str:
    cookie = f"<marketoCookie>{cookie}</marketoCookie>" if cookie else ""
    return (
        f"<ns1:paramsSyncLead><leadRecord>{record}</leadRecord><returnLead>false</returnLead>{cookie}"
        "</ns1:paramsSyncLead>"
    )


def statuses(roots: list[etree._Element]) -> Counter:
    return Counter(fault_code(root) or root.findtext(".//syncStatus/status") for root in roots)


def exported_leads(server: Server) -> list[dict]:
    return requests.get(f"{server.base}/_admin/export", params={"secrets": "true"}, timeout=30).json()["leads"]


def test_one_lead_per_new_email_across_processes(sandbox):
    roots = call_all(sandbox, [sync_lead("<Email>race@example.com</Email>")] * 96)
    assert statuses(roots) == {"CREATED": 1, "UPDATED": 95}
    assert [lead.get("Email") for lead in exported_leads(sandbox[0])].count("race@example.com") == 1


def test_one_lead_per_new_foreign_sys_person_id_across_processes(sandbox):
    record = "<ForeignSysPersonId>RACE-1</ForeignSysPersonId><ForeignSysType>CUSTOM</ForeignSysType>"
    roots = call_all(sandbox, [sync_lead(record)] * 96)
    assert statuses(roots) == {"CREATED": 1, "UPDATED": 95}
    assert [lead.get("ForeignSysPersonId") for lead in exported_leads(sandbox[1])].count("RACE-1") == 1


def test_one_lead_per_new_cookie_across_processes(sandbox):
    cookie = "id:561-HYG-937&amp;token:_mch-example.com-race"
    roots = call_all(sandbox, [sync_lead("<Email>cookie-race@example.com</Email>", cookie)] * 96)
    assert statuses(roots) == {"CREATED": 1, "UPDATED": 95}
    cookies = [lead.get("cookie") for lead in exported_leads(sandbox[2])]
    assert cookies.count("id:561-HYG-937&token:_mch-example.com-race") == 1


def each_field_set_five_times(keys: list[str]) -> list[str]:
    """syncLeads of Ada, each naming her by the next of `keys` and setting one of FIELDS to a value of
    its own: every field five times over."""
    return [
        sync_lead(
            f"{keys[n % len(keys)]}<leadAttributeList><attribute><attrName>{field}</attrName>"
            f"<attrValue>{field}-{n}</attrValue></attribute></leadAttributeList>"
        )
        for n, field in enumerate(FIELDS * 5)
    ]


def assert_every_field_written(server: Server) -> None:
    (ada,) = [lead for lead in exported_leads(server) if lead.get("Email") == ADA]
    # The last value sent for a field wins only if it came last, so each field holds one of the
    # values sent for it, and no field kept its seeded value.
    for field in FIELDS:
        assert ada["attributes"][field].startswith(f"{field}-"), field


def test_no_acknowledged_change_is_lost_across_processes(sandbox):
    bodies = each_field_set_five_times([f"<Email>{ADA}</Email>"])
    roots = call_all(sandbox, bodies)
    assert statuses(roots) == {"UPDATED": len(bodies)}
    assert_every_field_written(sandbox[3])


def test_no_acknowledged_change_is_lost_when_calls_name_one_lead_by_different_keys(sandbox):
    (ada_id,) = [lead["Id"] for lead in exported_leads(sandbox[0]) if lead.get("Email") == ADA]
    bodies = each_field_set_five_times([f"<Id>{ada_id}</Id>", f"<Email>{ADA}</Email>"])
    roots = call_all(sandbox, bodies)
    assert statuses(roots) == {"UPDATED": len(bodies)}
    assert_every_field_written(sandbox[1])


IMPORTED = 5000  # rows: the call applies the first chunk, the processes' workers the rest meanwhile


def imported_rows_applied(server: Server) -> int:
    body = (
        "<ns1:paramsGetImportToListStatus><programName>Trav-Demo-Program</programName>"
        "<listName>Trav-Other-List</listName></ns1:paramsGetImportToListStatus>"
    )
    root = etree.fromstring(requests.post(server.url, data=envelope(body).encode(), timeout=30).content)
    return sum(int(root.findtext(f".//result/{count}")) for count in ("rowsImported", "rowsFailed", "rowsIgnored"))


def test_an_import_and_sync_leads_of_its_emails_at_once_make_one_lead_per_email_and_lose_no_change(sandbox):
    rows = "".join(f"<stringItem>row{n}@example.com,Title-{n}</stringItem>" for n in range(IMPORTED))
    body = (
        "<ns1:paramsImportToList><programName>Trav-Demo-Program</programName>"
        f"<importFileHeader>Email Address,Job Title</importFileHeader><importFileRows>{rows}</importFileRows>"
        "<importListMode>UPSERTLEADS</importListMode><listName>Trav-Other-List</listName>"
        "<clearList>false</clearList></ns1:paramsImportToList>"
    )
    requests.post(sandbox[0].url, data=envelope(body).encode(), timeout=60).raise_for_status()
    synced = range(0, IMPORTED, 20)
    city = "<leadAttributeList><attribute><attrName>City</attrName><attrValue>City-{n}</attrValue></attribute>"
    roots = call_all(
        sandbox, [sync_lead(f"<Email>row{n}@example.com</Email>{city.format(n=n)}</leadAttributeList>") for n in synced]
    )
    assert set(statuses(roots)) <= {"CREATED", "UPDATED"}
    assert eventually(lambda: imported_rows_applied(sandbox[1]) == IMPORTED, seconds=120)
    by_email = Counter(lead.get("Email") for lead in exported_leads(sandbox[2]))
    leads = {lead.get("Email"): lead["attributes"] for lead in exported_leads(sandbox[3])}
    assert all(by_email[f"row{n}@example.com"] == 1 for n in range(IMPORTED))
    assert all(leads[f"row{n}@example.com"]["Title"] == f"Title-{n}" for n in range(IMPORTED))
    assert all(leads[f"row{n}@example.com"]["City"] == f"City-{n}" for n in synced)


def test_a_fault_count_is_consumed_exactly_once_across_processes(sandbox):
    fault = {"operation": "getLead", "code": 20024, "count": 7}
    requests.post(f"{sandbox[0].base}/_admin/faults", json=fault, timeout=10).raise_for_status()
    roots = call_all(sandbox, [GET_ADA] * 80)
    assert Counter(fault_code(root) for root in roots) == {20024: 7, None: 73}
    (stored,) = requests.get(f"{sandbox[1].base}/_admin/faults", timeout=10).json()
    assert stored["hits"] == 7


def test_a_daily_quota_is_consumed_exactly_once_across_processes(sandbox):
    quotas = {"enabled": True, "daily": 30, "rate": 100_000, "concurrency": 1000}
    requests.post(f"{sandbox[0].base}/_admin/quotas", json=quotas, timeout=10).raise_for_status()
    roots = call_all(sandbox, [GET_ADA] * 80)
    assert Counter(fault_code(root) for root in roots) == {None: 30, 20015: 50}


def test_the_clone_limit_is_consumed_exactly_once_across_processes(sandbox):
    bodies = [
        "<ns1:paramsScheduleCampaign><programName>Monthly Newsletter</programName>"
        f"<campaignName>Send Newsletter</campaignName><cloneToProgramName>Race clone {n}</cloneToProgramName>"
        "</ns1:paramsScheduleCampaign>"
        for n in range(24)
    ]
    roots = call_all(sandbox, bodies)
    assert Counter(fault_code(root) for root in roots) == {None: 10, 20110: 14}


def test_every_call_is_journalled_once_across_processes(sandbox):
    bodies = [sync_lead(f"<Email>journal-{n % 40}@example.com</Email>") if n % 2 else GET_ADA for n in range(200)]
    call_all(sandbox, bodies)
    journal = requests.get(f"{sandbox[2].base}/_admin/journal", params={"bodies": "false"}, timeout=30).json()
    assert sorted(entry["id"] for entry in journal["entries"]) == list(range(1, 201))
    assert Counter(entry["operation"] for entry in journal["entries"]) == {"syncLead": 100, "getLead": 100}


def test_read_only_calls_at_once_across_processes_are_each_answered_and_journalled_once(sandbox):
    roots = call_all(sandbox, [GET_ADA] * 240)
    assert Counter(fault_code(root) for root in roots) == {None: 240}
    journal = requests.get(f"{sandbox[1].base}/_admin/journal", params={"bodies": "false"}, timeout=30).json()
    assert sorted(entry["id"] for entry in journal["entries"]) == list(range(1, 241))


def test_a_process_killed_mid_call_loses_no_acknowledged_write(shared_url):
    """kill -9 of one process while calls are in flight: every call it acknowledged is in the store."""
    victim, survivor = start_servers(shared_url, 2)
    try:
        acknowledged: list[str] = []

        def sync(n: int) -> None:
            email = f"killed-{n}@example.com"
            try:
                response = requests.post(
                    victim.url, data=envelope(sync_lead(f"<Email>{email}</Email>")).encode(), timeout=10
                )
            except requests.RequestException:
                return  # the answer never came: not acknowledged
            if response.status_code == 200:
                acknowledged.append(email)

        with ThreadPoolExecutor(max_workers=8) as pool:
            pending = [pool.submit(sync, n) for n in range(400)]
            while len(acknowledged) < 50:
                time.sleep(0.005)
            victim.process.send_signal(signal.SIGKILL)
            for future in pending:
                future.result()
        stored = {lead.get("Email") for lead in exported_leads(survivor)}
        assert acknowledged and not set(acknowledged) - stored
    finally:
        victim.stop()
        survivor.stop()


@pytest.fixture
def private_postgres():
    cluster = PrivateCluster()
    yield cluster
    cluster.remove()


def admin_imports(server: Server) -> list[dict]:
    return requests.get(f"{server.base}/_admin/imports", timeout=30).json()


def test_a_serving_process_applies_the_rows_an_import_left_waiting_without_a_call(shared_url):
    (server,) = start_servers(shared_url, 1)
    # A process that took an import and went away before its rows were applied.
    gone = Instance("default", shared_url)
    rows = [f"left{n}@example.com" for n in range(3 * imports.CHUNK_ROWS)]
    try:
        with gone.store.session() as session:
            imports.import_to_list(
                session, gone.clock, "Trav-Demo-Program", "Trav-Other-List", "Email Address", rows, "UPSERTLEADS"
            )
    finally:
        gone.close()
    try:
        # Looked at through the admin API: a getImportToListStatus that finds rows waiting wakes the worker.
        assert eventually(lambda: admin_imports(server)[0]["status"]["rowsImported"] == len(rows))
    finally:
        server.stop()


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
def test_a_process_killed_leaves_none_of_its_background_processes_behind(shared_url):
    """On PostgreSQL a process's background work runs in a process of its own: it ends with it."""
    (server,) = start_servers(shared_url, 1)
    try:
        assert eventually(lambda: children(server.process.pid))
        started = children(server.process.pid)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
    finally:
        server.stop()
    assert eventually(lambda: not any(running(pid) for pid in started), seconds=10)


def test_a_postgresql_restart_under_load_is_20011_then_the_server_reconnects(private_postgres):
    (server,) = start_servers(private_postgres.url, 1)
    try:
        answers: list[tuple[str, int | None]] = []
        restarted = threading.Event()

        def sync_until_after_the_restart(worker: int) -> None:
            for n in range(100_000):
                email = f"restart-{worker}-{n}@example.com"
                response = requests.post(
                    server.url, data=envelope(sync_lead(f"<Email>{email}</Email>")).encode(), timeout=30
                )
                code = fault_code(etree.fromstring(response.content))
                answers.append((email, code))
                # Each client goes on until it has been answered normally after the restart.
                if restarted.is_set() and code is None:
                    return

        with ThreadPoolExecutor(max_workers=4) as pool:
            clients = [pool.submit(sync_until_after_the_restart, worker) for worker in range(4)]
            while len(answers) < 40:
                time.sleep(0.005)
            private_postgres.restart()
            restarted.set()
            for client in clients:
                client.result()
        codes = Counter(code for _, code in answers)
        assert set(codes) == {None, 20011} and codes[20011] >= 1
        acknowledged = {email for email, code in answers if code is None}
        assert not acknowledged - {lead.get("Email") for lead in exported_leads(server)}
    finally:
        server.stop()


def test_units_of_work_begun_after_a_postgresql_restart_find_live_connections(private_postgres):
    """Every connection the store pooled before the restart is dead after it; none is handed to a call."""
    store = Store(private_postgres.url)
    try:

        def hold_a_connection() -> None:
            with store.session():
                time.sleep(0.05)

        with ThreadPoolExecutor(max_workers=4) as pool:  # four connections pooled, idle once done
            for held in [pool.submit(hold_a_connection) for _ in range(4)]:
                held.result()
        private_postgres.restart()
        for _ in range(6):
            with store.session() as session:
                assert session.scalar(text("SELECT 1")) == 1
    finally:
        store.close()


def test_while_postgresql_is_down_the_admin_api_is_a_json_503_and_it_answers_once_postgresql_is_back(
    private_postgres,
):
    (server,) = start_servers(private_postgres.url, 1)
    try:
        private_postgres.stop()
        for method, path in [("POST", "/_admin/reset"), ("GET", "/_admin/export"), ("GET", "/_admin/journal")]:
            answer = requests.request(method, f"{server.base}{path}", timeout=30)
            assert answer.status_code == 503 and answer.json()["error"].startswith("store unavailable: ")
        private_postgres.start()
        assert requests.post(f"{server.base}/_admin/reset", timeout=30).status_code == 200
    finally:
        server.stop()


def test_a_database_lost_in_the_middle_of_an_operation_is_20011_not_an_internal_error(monkeypatch):
    """Where a restart strikes is chance; here the database goes away inside getLead itself."""

    def lost(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("terminating connection due to administrator command"))

    app = build_app(Config(db="sqlite://", seed=DEFAULT_SEED))
    monkeypatch.setattr(lead_views, "get_leads", lost)
    answer = Client(app).post("/soap/mktows/2_6", data=envelope(GET_ADA), content_type="text/xml")
    assert fault_code(etree.fromstring(answer.data)) == 20011
