"""On SQLite, calls that only read (domain/instance.py READS_ONLY) read without the processes' turn: WAL
lets one connection read while another writes. Only their journal entry takes the turn, and it comes
after every entry committed meanwhile. A call that may change more of the instance (a fault to fire,
quotas on, a scheduled campaign run) takes the turn from the start, as any other. (On PostgreSQL reads
hold the instance's lock shared instead: tests/test_calls_at_once.py.)

Two instances over one SQLite file stand for two `mockmkto serve` processes: each has its own
connection and its own hold on the turn."""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from mockmkto.config import DEFAULT_SEED
from mockmkto.domain import campaigns, leads
from mockmkto.domain.instance import Instance
from mockmkto.domain.seed_format import read_seed_file
from mockmkto.soap.server import MktowsServer, SoapResponse
from tests.soap import envelope, fault_code

WAIT = 30  # seconds: how long a step that should get through may take at most
GET_LEAD_2 = "<ns1:paramsGetLead><leadKey><keyType>IDNUM</keyType><keyValue>2</keyValue></leadKey></ns1:paramsGetLead>"
HELD_CITY = "Held City"


@pytest.fixture
def processes(tmp_path):
    """Two instances over one SQLite file, seeded with seed_data/default.json."""
    url = f"sqlite:///{tmp_path}/shared.db"
    first = Instance("default", url, seed=read_seed_file(DEFAULT_SEED))
    second = Instance("default", url)
    yield first, second
    first.close()
    second.close()


class HeldWrite:
    """A unit of work of `instance`, held open on a thread of its own until `release`: it sets lead 2's
    City to HELD_CITY and journals a call of its own."""

    def __init__(self, instance: Instance):
        self.begun, self._release = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._hold, args=(instance,))
        self._thread.start()
        assert self.begun.wait(WAIT)

    def _hold(self, instance: Instance) -> None:
        with instance.unit_of_work() as session:
            leads.sync_lead(session, instance.clock, leads.LeadInput(id=2, attributes=[("City", HELD_CITY)]))
            held = SoapResponse(200, b"<held/>", operation="syncLead")
            instance.journal.append(session, instance.clock.now(), b"<held/>", held, 0.0)
            self.begun.set()
            self._release.wait(WAIT)

    def release(self) -> None:
        self._release.set()
        self._thread.join(WAIT)


def get_lead_2(instance: Instance) -> etree._Element:
    """The answer to a getLead of lead 2 sent to `instance`."""
    return etree.fromstring(MktowsServer(auth_required=False).handle(envelope(GET_LEAD_2).encode(), instance).body)


def get_lead_2_on_a_thread(instance: Instance) -> tuple[threading.Event, list[etree._Element]]:
    """getLead of lead 2 sent to `instance` on a thread of its own: set once answered, with the answer."""
    done, answers = threading.Event(), []

    def run() -> None:
        answers.append(get_lead_2(instance))
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done, answers


def waits_for_the_turn(database: Path) -> None:
    """Until a connection waits for the turn of the processes on `database` (a blocked lock on its
    `.turns` file, as /proc/locks shows the kernel's locks)."""
    inode = os.stat(f"{database}.turns").st_ino
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        for line in Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            if fields[1] == "->" and int(fields[6].rsplit(":", 1)[1]) == inode:
                return
        time.sleep(0.01)
    raise AssertionError("no connection came to wait for the turn")


def city(answer: etree._Element) -> str | None:
    assert fault_code(answer) is None, etree.tostring(answer)
    for attribute in answer.iter("attribute"):
        if attribute.findtext("attrName") == "City":
            return attribute.findtext("attrValue")
    return None


def get_lead_2_beside_a_held_write(processes, tmp_path) -> tuple[str | None, str | None, list[str | None]]:
    """Lead 2's City before, the City a getLead sent while another process writes it answered, and
    the operations of the journal's last two entries."""
    reader, writer = processes
    city_before = city(get_lead_2(reader))
    held = HeldWrite(writer)
    try:
        done, answers = get_lead_2_on_a_thread(reader)
        waits_for_the_turn(tmp_path / "shared.db")
    finally:
        held.release()
    assert done.wait(WAIT)
    entries = reader.journal.entries(limit=2)
    assert [entry.id for entry in entries] == [entries[0].id, entries[0].id + 1]
    return city_before, city(answers[0]), [entry.operation for entry in entries]


def test_a_read_only_call_answers_what_was_committed_while_another_process_writes(processes, tmp_path):
    city_before, answered, _ = get_lead_2_beside_a_held_write(processes, tmp_path)
    assert answered == city_before != HELD_CITY


def test_its_journal_entry_waits_for_the_turn_and_follows_the_entries_committed_meanwhile(processes, tmp_path):
    *_, operations = get_lead_2_beside_a_held_write(processes, tmp_path)
    assert operations == ["syncLead", "getLead"]


def inject_a_fault_of_another_operation(instance: Instance) -> None:
    instance.limits.inject(operation="syncMObjects", code=20024, count=1)


def turn_quotas_on(instance: Instance) -> None:
    instance.limits.set_quotas(enabled=True)


def schedule_a_campaign_run_tomorrow(instance: Instance) -> None:
    with instance.unit_of_work() as session:
        tomorrow = instance.clock.now() + timedelta(days=1)
        campaigns.schedule_campaign(session, instance.clock, "Monthly Newsletter", "Send Newsletter", run_at=tomorrow)


@pytest.mark.parametrize(
    "change", [inject_a_fault_of_another_operation, turn_quotas_on, schedule_a_campaign_run_tomorrow]
)
def test_a_read_only_call_that_may_change_more_takes_the_turn_from_the_start(processes, tmp_path, change):
    change(processes[0])
    city_before, answered, operations = get_lead_2_beside_a_held_write(processes, tmp_path)
    assert answered == HELD_CITY != city_before
    assert operations == ["syncLead", "getLead"]
