"""Calls that share the instance (domain/instance.py SHARE_THE_INSTANCE: the reads, and syncLead) hold a
PostgreSQL instance's lock shared, so such calls of several processes run at once; a syncLead waits
only for units of work holding its lead or one of its keys; anything else that changes the instance
still runs alone, and the shared state (the journal's numbering) is changed by one unit at a time."""

from __future__ import annotations

import threading

import pytest
from lxml import etree
from sqlalchemy import text

from mockmkto.domain import imports, lead_views, leads
from mockmkto.domain.instance import READS_ONLY
from mockmkto.soap.server import MktowsServer
from mockmkto.store.db import Store
from tests.soap import envelope, fault_code

pytestmark = pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)

WAIT = 30  # seconds: how long a unit of work that should get through may take at most
LEAD_2 = "<leadKey><keyType>IDNUM</keyType><keyValue>2</keyValue></leadKey>"
READS = {
    "getLead": f"<ns1:paramsGetLead>{LEAD_2}</ns1:paramsGetLead>",
    "getMultipleLeads": (
        '<ns1:paramsGetMultipleLeads><leadSelector xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:type="ns1:LeadKeySelector"><keyType>IDNUM</keyType><keyValues><stringItem>1</stringItem>'
        "<stringItem>2</stringItem></keyValues></leadSelector></ns1:paramsGetMultipleLeads>"
    ),
    "getLeadActivity": f"<ns1:paramsGetLeadActivity>{LEAD_2}</ns1:paramsGetLeadActivity>",
    "getImportToListStatus": (
        "<ns1:paramsGetImportToListStatus><programName>Trav-Demo-Program</programName>"
        "<listName>Trav-Other-List</listName></ns1:paramsGetImportToListStatus>"
    ),
}


class HeldUnit:
    """A unit of work held open on a thread of its own until `release`, once `work(session)` is done in it."""

    def __init__(self, store: Store, shared: bool, work=lambda session: None):
        self.begun, self._release = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._hold, args=(store, shared, work))
        self._thread.start()
        assert self.begun.wait(WAIT)

    def _hold(self, store: Store, shared: bool, work) -> None:
        with store.session(shared) as session:
            work(session)
            self.begun.set()
            self._release.wait(WAIT)

    def release(self) -> None:
        self._release.set()
        self._thread.join(WAIT)


def unit_of_work_done(store: Store, shared: bool) -> threading.Event:
    """Set once a unit of work begun on another thread now has ended."""
    done = threading.Event()

    def run() -> None:
        with store.session(shared):
            pass
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done


def waits_for_a_held_read_only_unit(store: Store, shared: bool) -> bool:
    """Whether a unit of work begun while a read-only one is held open waits for it to end."""
    held = HeldUnit(store, shared=True)
    done = unit_of_work_done(store, shared)
    try:
        waited = not done.wait(0.5)
    finally:
        held.release()
    assert done.wait(WAIT)
    return waited


def test_read_only_units_of_work_run_at_once(instance):
    held = HeldUnit(instance.store, shared=True)
    try:  # the second one ends while the first is held open
        assert unit_of_work_done(instance.store, shared=True).wait(WAIT)
    finally:
        held.release()


def test_a_unit_of_work_that_changes_the_instance_waits_for_read_only_ones(instance):
    assert waits_for_a_held_read_only_unit(instance.store, shared=False)


def test_read_only_units_of_work_run_alone_while_a_fault_may_fire(instance):
    with instance.store.session() as session:
        instance.store.write_state(session, active_faults=1)
    assert waits_for_a_held_read_only_unit(instance.store, shared=True)


def test_a_read_only_unit_of_work_changes_the_state_only_once_it_owns_it(instance):
    store = instance.store
    with store.session(shared=True) as session:
        with pytest.raises(RuntimeError):
            store.write_state(session, journal_bytes=0)
        store.own_state(session)
        store.write_state(session, journal_bytes=store.state.journal_bytes)


def test_read_only_calls_write_nothing_before_their_journal_entry(instance, monkeypatch, row_waiting):
    """PostgreSQL gives a transaction an id at its first write: none has one when its journal entry begins."""
    row_waiting("hedy@example.com,Inventor")  # an import for getImportToListStatus to read
    ids_at_the_journal = []
    own_state = Store.own_state

    def noting_the_transaction_id(store: Store, session) -> None:
        ids_at_the_journal.append(session.scalar(text("SELECT pg_current_xact_id_if_assigned()")))
        own_state(store, session)

    monkeypatch.setattr(Store, "own_state", noting_the_transaction_id)
    server = MktowsServer(auth_required=False)
    assert set(READS) == READS_ONLY
    for operation, body in READS.items():
        response = server.handle(envelope(body).encode(), instance)
        assert response.status == 200, (operation, fault_code(etree.fromstring(response.body)))
    assert ids_at_the_journal == [None] * len(READS)


def sync_lead_call(instance, record: str) -> tuple[threading.Event, list]:
    """A syncLead of `record` sent on a thread of its own: set once answered, with its answer's status."""
    done, answered = threading.Event(), []
    body = envelope(
        f"<ns1:paramsSyncLead><leadRecord>{record}</leadRecord><returnLead>false</returnLead></ns1:paramsSyncLead>"
    ).encode()

    def run() -> None:
        response = MktowsServer(auth_required=False).handle(body, instance)
        answered.append(etree.fromstring(response.body).findtext(".//syncStatus/status"))
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done, answered


def sync_lead_beside(instance, held: leads.LeadInput, record: str, within: float) -> tuple[bool, list]:
    """A syncLead of `record` sent while a syncLead of `held` is held open in its unit of work (as the
    SOAP server runs it, once it has written its lead): whether it was answered within `within`
    seconds meanwhile, and its answer's status once that unit ended."""
    unit = HeldUnit(instance.store, shared=True, work=lambda session: leads.sync_lead(session, instance.clock, held))
    try:
        done, answered = sync_lead_call(instance, record)
        answered_meanwhile = done.wait(within)
    finally:
        unit.release()
    assert done.wait(WAIT)
    return answered_meanwhile, answered


ADA_IN_LONDON = leads.LeadInput(email="ada@example.com", attributes=[("City", "London")])


def test_sync_leads_of_different_leads_run_at_once(instance):
    meanwhile, answered = sync_lead_beside(instance, ADA_IN_LONDON, "<Email>hedy@example.com</Email>", WAIT)
    assert meanwhile
    assert answered == ["CREATED"]


def test_a_sync_lead_of_a_lead_another_unit_is_writing_waits_for_it(instance):
    title = "<leadAttributeList><attribute><attrName>Title</attrName><attrValue>Countess</attrValue></attribute>"
    meanwhile, answered = sync_lead_beside(instance, ADA_IN_LONDON, f"<Id>1</Id>{title}</leadAttributeList>", 0.5)
    assert not meanwhile
    assert answered == ["UPDATED"]
    with instance.unit_of_work() as session:
        (ada,) = lead_views.get_leads(session, "IDNUM", "1")
    assert {("City", "London"), ("Title", "Countess")} <= {(name, value) for name, _, value in ada.attributes}


def test_a_sync_lead_of_a_new_email_another_unit_is_creating_waits_for_it_and_finds_its_lead(instance):
    new_lead = leads.LeadInput(email="hedy@example.com")
    meanwhile, answered = sync_lead_beside(instance, new_lead, "<Email>Hedy@example.com</Email>", 0.5)
    assert not meanwhile
    assert answered == ["UPDATED"]


def test_a_sync_lead_giving_a_lead_a_key_another_unit_is_creating_a_lead_of_waits_and_finds_that_lead(instance):
    new_lead = leads.LeadInput(foreign_sys_person_id="SF-NEW", foreign_sys_type="CUSTOM")
    # Found by Email first, it would give Ada the ForeignSysPersonId being created.
    record = "<Email>ada@example.com</Email><ForeignSysPersonId>SF-NEW</ForeignSysPersonId>"
    meanwhile, answered = sync_lead_beside(instance, new_lead, f"{record}<ForeignSysType>CUSTOM</ForeignSysType>", 0.5)
    assert not meanwhile
    assert answered == ["UPDATED"]  # the new lead, found by ForeignSysPersonId (it comes before Email)
    with instance.unit_of_work() as session:
        (found,) = lead_views.get_leads(session, "IDNUM", "1")
        (created,) = lead_views.get_leads(session, "EMAIL", "ada@example.com")[:1]
    assert found.foreign_sys_person_id is None
    assert created.foreign_sys_person_id == "SF-NEW"


def test_a_sync_lead_waiting_for_a_lead_whose_email_changed_meanwhile_no_longer_finds_it_by_the_old_one(instance):
    renamed = leads.LeadInput(id=1, email="ada@lovelace.example")
    meanwhile, answered = sync_lead_beside(instance, renamed, "<Email>ada@example.com</Email>", 0.5)
    assert not meanwhile
    assert answered == ["CREATED"]


# ------------------------------------------------------------------ an import's units of work

IMPORT_HEADER = "Email Address,Job Title"


@pytest.fixture
def row_waiting(instance, monkeypatch):
    """importToList of a first row and `row` (Email, Job Title), each a chunk: the call applies the
    first, and `row` waits for a unit of work of its own."""
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)

    def start(row: str) -> None:
        rows = ["first@example.com,Engineer", row]
        with instance.unit_of_work() as session:
            imports.import_to_list(
                session, instance.clock, "Trav-Demo-Program", "Trav-Other-List", IMPORT_HEADER, rows, "UPSERTLEADS"
            )

    return start


def chunk_applied(instance) -> threading.Event:
    """Set once the unit of work applying the import's waiting chunk, begun on another thread, has ended."""
    done = threading.Event()

    def run() -> None:
        assert imports.process_chunk(instance.store, instance.clock)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done


def chunk_applied_beside(instance, held: leads.LeadInput) -> None:
    """The import's waiting chunk applied while a syncLead of `held` is held open in its unit of work:
    the chunk's unit waits for it (not done within 0.5 s), and ends once it ends."""
    unit = HeldUnit(instance.store, shared=True, work=lambda s: leads.sync_lead(s, instance.clock, held))
    try:
        applied = chunk_applied(instance)
        assert not applied.wait(0.5)
    finally:
        unit.release()
    assert applied.wait(WAIT)


def leads_with_email(instance, email: str) -> list[lead_views.LeadView]:
    with instance.unit_of_work() as session:
        return lead_views.get_leads(session, "EMAIL", email)


def attribute(lead: lead_views.LeadView, wanted: str) -> str | None:
    return next((value for name, _, value in lead.attributes if name == wanted), None)


def test_an_imports_unit_of_work_waits_for_a_sync_lead_writing_one_of_its_leads_and_both_changes_are_kept(
    instance, row_waiting
):
    row_waiting("ada@example.com,Countess")
    chunk_applied_beside(instance, ADA_IN_LONDON)
    (ada,) = leads_with_email(instance, "ada@example.com")
    assert (attribute(ada, "City"), attribute(ada, "Title")) == ("London", "Countess")


def test_an_imports_unit_of_work_waits_for_a_sync_lead_creating_one_of_its_emails_and_updates_that_lead(
    instance, row_waiting
):
    row_waiting("hedy@example.com,Inventor")
    chunk_applied_beside(instance, leads.LeadInput(email="hedy@example.com", attributes=[("City", "Vienna")]))
    (found,) = leads_with_email(instance, "hedy@example.com")
    assert (attribute(found, "City"), attribute(found, "Title")) == ("Vienna", "Inventor")


def test_a_read_only_call_is_answered_while_an_imports_unit_of_work_is_in_progress(instance, row_waiting):
    row_waiting("ada@example.com,Countess")
    # The import's unit waits for a syncLead of Ada: it is in progress until that ends.
    unit = HeldUnit(instance.store, shared=True, work=lambda s: leads.sync_lead(s, instance.clock, ADA_IN_LONDON))
    try:
        applied = chunk_applied(instance)
        assert not applied.wait(0.5)
        answered = []
        for operation in ("getLead", "getImportToListStatus"):
            response = MktowsServer(auth_required=False).handle(envelope(READS[operation]).encode(), instance)
            answered.append((operation, response.status))
        assert not applied.is_set()
    finally:
        unit.release()
    assert applied.wait(WAIT)
    assert answered == [("getLead", 200), ("getImportToListStatus", 200)]
