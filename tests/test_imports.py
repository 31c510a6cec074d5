"""importToList and getImportToListStatus (spec 9.2, 9.3) through domain/ directly.

The seed's "Trav-Demo-Program" holds the static lists "Trav-Test-List" (every test here puts
leads 1 and 2 in it) and "Trav-Other-List" (empty), and the batch campaign "Batch Campaign Example".
"""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from mockmkto.config import DEFAULT_SEED
from mockmkto.domain import campaigns, imports, lists
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.instance import Instance
from mockmkto.domain.lead_keys import find_by_key
from mockmkto.domain.leads import LeadInput, sync_lead
from mockmkto.domain.seed_format import read_seed_file
from mockmkto.store.campaign_models import ImportedLeadTokens
from mockmkto.store.models import Activity, Lead, ListMember, StaticList
from tests.servers import eventually
from tests.soap import CAMPAIGN_DAY

NOW = CAMPAIGN_DAY
HEADER = "Last Name,First Name,Job Title,Company Name,Email Address"
ROWS = [
    "Awesomesauce,Developer,Code Slinger,Marketo,dawesomesauce@marketo.com",
    "Doe,Jane,VP Marketing,Jane Consulting,jdoe@janeconsulting.com",
]


pytestmark = pytest.mark.usefixtures("frozen", "trav_test_list")


def import_rows(session, clock, rows=ROWS, header=HEADER, mode="UPSERTLEADS", **params):
    params.setdefault("program_name", "Trav-Demo-Program")
    params.setdefault("list_name", "Trav-Other-List")
    return imports.import_to_list(
        session, clock, params.pop("program_name"), params.pop("list_name"), header, rows, mode, **params
    ).status


def status(session, clock, list_name="Trav-Other-List"):
    return imports.import_status(session, clock, "Trav-Demo-Program", list_name)


def members(session, list_id=3003):
    return list(session.scalars(select(ListMember.lead_id).where(ListMember.list_id == list_id).order_by("lead_id")))


def lead_by_email(session, email):
    (lead,) = find_by_key(session, "EMAIL", email)
    return lead


def error_code(call, *args, **kwargs) -> int:
    with pytest.raises(MarketoError) as raised:
        call(*args, **kwargs)
    return raised.value.code


def finish(session, clock):
    clock.advance(imports.processing_delay(session))
    return status(session, clock)


# --------------------------------------------------------------------------------- the rows


def test_upsertleads_creates_the_leads_by_display_name_columns_and_adds_them(session, clock):
    import_rows(session, clock)
    jane = lead_by_email(session, "jdoe@janeconsulting.com")
    assert {k: jane.attributes[k] for k in ("LastName", "FirstName", "Title", "Company")} == {
        "LastName": "Doe",
        "FirstName": "Jane",
        "Title": "VP Marketing",
        "Company": "Jane Consulting",
    }
    assert members(session) == sorted([jane.id, lead_by_email(session, "dawesomesauce@marketo.com").id])


def test_upsertleads_updates_a_lead_matched_by_email_and_leaves_empty_cells_alone(session, clock):
    import_rows(session, clock, rows=["Byron,,,,ADA@example.com"])
    ada = session.get(Lead, 1)
    assert (ada.attributes["LastName"], ada.attributes["FirstName"]) == ("Byron", "Ada")
    assert members(session) == [1]


def test_listonly_adds_existing_leads_and_ignores_unknown_ones(session, clock):
    import_rows(session, clock, rows=["Changed,,,,grace@example.com", "New,,,,new@example.com"], mode="LISTONLY")
    assert members(session) == [2]
    assert session.get(Lead, 2).attributes["LastName"] == "Hopper"
    assert find_by_key(session, "EMAIL", "new@example.com") == []
    assert (finish(session, clock).rows_imported, status(session, clock).rows_ignored) == (1, 1)


def test_added_leads_get_an_add_to_list_activity(session, clock):
    import_rows(session, clock, rows=["x,,,,ada@example.com"], mode="LISTONLY")
    query = select(Activity.asset_name).where(Activity.lead_id == 1, Activity.activity_type == "AddToList")
    assert session.scalars(query.order_by(Activity.id)).all() == ["Trav-Test-List", "Trav-Other-List"]


def test_clear_list_empties_the_list_before_the_import(session, clock):
    import_rows(
        session, clock, rows=["x,,,,hans@example.de"], mode="LISTONLY", list_name="Trav-Test-List", clear_list=True
    )
    assert members(session, 3002) == [3]


def test_without_clear_list_the_import_appends(session, clock):
    import_rows(session, clock, rows=["x,,,,hans@example.de"], mode="LISTONLY", list_name="Trav-Test-List")
    assert members(session, 3002) == [1, 2, 3]


def test_rows_are_read_as_rfc_4180_csv(session, clock):
    header = "Email Address,Company Name,Address"
    import_rows(session, clock, header=header, rows=['quoted@example.com,"Smith, Jones & ""Co""","1 Main St\nSuite 2"'])
    lead = lead_by_email(session, "quoted@example.com")
    assert (lead.attributes["Company"], lead.attributes["Address"]) == ('Smith, Jones & "Co"', "1 Main St\nSuite 2")


def test_header_names_match_display_names_case_insensitively(session, clock):
    import_rows(session, clock, header="email address,REGION", rows=["r@example.com,EMEA"])
    assert lead_by_email(session, "r@example.com").attributes["Region__c"] == "EMEA"


def test_bad_rows_fail_alone_and_are_named_in_the_summary(session, clock):
    header = "Email Address,Num Employees"
    rows = ["good@example.com,12", "bad@example.com,many", "short@example.com", ",3", '"unclosed,4']
    import_rows(session, clock, header=header, rows=rows)
    done = finish(session, clock)
    assert (done.status, done.rows_imported, done.rows_failed, done.rows_ignored) == ("COMPLETE", 1, 4, 0)
    assert done.summary.startswith("1 imported, 4 failed, 0 ignored; row 2: ")
    assert "row 3:" in done.summary and "row 4: Email Address is empty" in done.summary
    assert find_by_key(session, "EMAIL", "bad@example.com") == []


def test_an_import_whose_rows_all_fail_ends_failed(session, clock):
    import_rows(session, clock, header="Email Address,Num Employees", rows=["a@example.com,many"])
    assert finish(session, clock).status == "FAILED"


# ------------------------------------------------------------------------------ the request


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Email,First Name", 20105),
        ("Email Address,Shoe Size", 20105),
        ("First Name,Last Name", 20110),
        ("Email Address,{{lead.Color}}", 20110),
        ("Email Address,Email Address", 20110),
        ('Email Address,"unclosed', 20110),
    ],
    ids=["API name", "unknown field", "no Email Address", "bad token column", "twice", "not CSV"],
)
def test_a_bad_import_file_header_is_refused(session, clock, header, code):
    assert error_code(import_rows, session, clock, header=header, rows=[]) == code


def test_token_columns_need_campaign_name_20109(session, clock):
    assert error_code(import_rows, session, clock, header="Email Address,{{my.message}}", rows=[]) == 20109


def test_campaign_name_must_be_a_campaign_of_the_program_20113(session, clock):
    header = "Email Address,{{my.message}}"
    assert error_code(import_rows, session, clock, header=header, rows=[], campaign_name="Send Invite") == 20113


def test_an_unknown_program_is_20110(session, clock):
    assert error_code(import_rows, session, clock, program_name="No Such Program") == 20110


@pytest.mark.parametrize("list_name", ["No Such List", "Registrants"], ids=["unknown", "list of another program"])
def test_a_list_that_is_not_in_the_program_is_20111(session, clock, list_name):
    assert error_code(import_rows, session, clock, list_name=list_name) == 20111


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("program_name", None, 20109),
        ("list_name", " ", 20109),
        ("header", None, 20109),
        ("rows", None, 20109),
        ("mode", None, 20109),
        ("mode", "REPLACE", 20110),
    ],
)
def test_required_parameters(session, clock, field, value, code):
    assert error_code(import_rows, session, clock, **{field: value}) == code


def test_a_second_import_into_a_list_still_processing_is_20110(session, clock):
    import_rows(session, clock)
    assert error_code(import_rows, session, clock) == 20110
    clock.advance(imports.processing_delay(session))
    assert import_rows(session, clock) == "PROCESSING"


def test_imports_into_different_lists_may_overlap(session, clock):
    import_rows(session, clock)
    assert import_rows(session, clock, rows=["x,,,,ada@example.com"], list_name="Trav-Test-List") == "PROCESSING"


# --------------------------------------------------------------------------- status over time


def test_an_import_reports_processing_until_its_delay_has_passed(session, clock):
    assert import_rows(session, clock) == "PROCESSING"
    running = status(session, clock)
    assert running == imports.ImportStatus("PROCESSING", NOW, None, 5, 2, 2, 0, 0, None)
    clock.advance(timedelta(seconds=4))
    assert (status(session, clock).status, status(session, clock).estimated_seconds) == ("PROCESSING", 1)


def test_an_import_reports_complete_with_its_counts_once_due(session, clock):
    import_rows(session, clock)
    clock.advance(timedelta(seconds=5))
    assert status(session, clock) == imports.ImportStatus(
        "COMPLETE", NOW, NOW + timedelta(seconds=5), None, 2, 2, 0, 0, "2 imported, 0 failed, 0 ignored"
    )


def test_the_processing_delay_is_configurable(session, clock):
    imports.set_processing_delay(session, 0)
    assert import_rows(session, clock) == "COMPLETE"
    imports.set_processing_delay(session, 60)
    import_rows(session, clock, list_name="Trav-Test-List", rows=["x,,,,ada@example.com"])
    clock.advance(timedelta(seconds=59))
    assert status(session, clock, "Trav-Test-List").status == "PROCESSING"


def test_status_reports_the_latest_import_of_the_list(session, clock):
    import_rows(session, clock)
    clock.advance(timedelta(minutes=1))
    import_rows(session, clock, rows=["x,,,,ada@example.com"], mode="LISTONLY")
    latest = status(session, clock)
    assert (latest.started_at, latest.estimated_rows) == (NOW + timedelta(minutes=1), 1)


def test_status_of_a_list_never_imported_into_is_20111(session, clock):
    assert error_code(status, session, clock) == 20111


@pytest.mark.parametrize(("program", "list_name"), [(None, "Trav-Other-List"), ("Trav-Demo-Program", "")])
def test_status_needs_program_name_and_list_name_20109(session, clock, program, list_name):
    assert error_code(imports.import_status, session, clock, program, list_name) == 20109


def test_imports_are_listed_for_the_admin_api(session, clock):
    import_rows(session, clock, header="Email Address,{{my.message}}", rows=[], campaign_name="Batch Campaign Example")
    (view,) = imports.list_imports(session, clock)
    assert (view.program, view.list, view.campaign, view.mode, view.status.status) == (
        "Trav-Demo-Program",
        "Trav-Other-List",
        "Batch Campaign Example",
        "UPSERTLEADS",
        "PROCESSING",
    )


def test_imported_token_values_are_usable_while_the_import_reports_processing(session, clock):
    header = "Email Address,{{my.message}}"
    import_rows(session, clock, header=header, rows=["ada@example.com,Hi Ada"], campaign_name="Batch Campaign Example")
    run = campaigns.schedule_campaign(session, clock, "Trav-Demo-Program", "Batch Campaign Example")
    assert run.leads[0].tokens["{{my.message}}"] == "Hi Ada"


# ------------------------------------------------------------------- rows applied in chunks


def many_rows(count, start=0):
    return [f"Row{n},,,,row{n}@example.com" for n in range(start, start + count)]


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 3 rows: a few rows cross chunk boundaries."""
    monkeypatch.setattr(imports, "CHUNK_ROWS", 3)


def test_the_call_applies_one_chunk_and_answers_processing_while_rows_wait(session, clock, instance, small_chunks):
    imports.set_processing_delay(session, 0)
    assert import_rows(session, clock, rows=many_rows(7)) == "PROCESSING"
    waiting = status(session, clock)
    assert (waiting.rows_imported, waiting.rows_waiting, waiting.ended_at) == (3, 4, None)
    assert members(session) == [lead_by_email(session, f"row{n}@example.com").id for n in range(3)]
    imports.process_pending(instance.store, clock)
    done = status(session, clock)
    assert (done.status, done.rows_imported, done.rows_waiting, len(members(session))) == ("COMPLETE", 7, 0, 7)


def test_a_unit_may_apply_the_first_rows_of_a_chunk_and_leave_the_rest_waiting(session, clock, instance):
    imports.set_processing_delay(session, 0)
    import_rows(session, clock, rows=many_rows(3 * imports.CHUNK_ROWS))
    imports.process_chunk(instance.store, clock, most_rows=100)
    waiting = status(session, clock)
    assert (waiting.rows_imported, waiting.rows_waiting) == (imports.CHUNK_ROWS + 100, 2 * imports.CHUNK_ROWS - 100)
    imports.process_pending(instance.store, clock)
    done = status(session, clock)
    assert (done.status, done.rows_imported) == ("COMPLETE", 3 * imports.CHUNK_ROWS)
    ids = [lead_by_email(session, f"row{n}@example.com").id for n in range(3 * imports.CHUNK_ROWS)]
    assert ids == sorted(ids)  # applied in row order


def rows_applied_by_one_step(session, clock, instance) -> int:
    """Rows the background worker's next step applies of a new import with rows waiting."""
    imports.set_processing_delay(session, 0)
    import_rows(session, clock, rows=many_rows(3 * imports.CHUNK_ROWS))
    before = status(session, clock).rows_imported
    assert instance.apply_waiting_rows()
    return status(session, clock).rows_imported - before


# SQLite's worker is a thread whose units take turns with the calls of its process; PostgreSQL's a
# process of its own, beside which calls run: its units are whole chunks (`process_chunk`).
@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
def test_while_calls_come_the_worker_applies_fewer_rows_a_unit_on_sqlite(session, clock, instance):
    instance.limits.arrive()  # a call since the worker's previous step began
    instance.limits.leave()
    assert rows_applied_by_one_step(session, clock, instance) == imports.ROWS_WHILE_CALLED


@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
def test_without_calls_the_worker_applies_a_whole_chunk_a_unit_on_sqlite(session, clock, instance):
    instance.apply_waiting_rows()  # the calls of earlier tests came before this step
    assert rows_applied_by_one_step(session, clock, instance) == imports.CHUNK_ROWS


def test_an_import_stays_processing_past_its_delay_while_rows_wait(session, clock, instance, small_chunks):
    import_rows(session, clock, rows=many_rows(4))
    clock.advance(timedelta(seconds=6))
    assert (status(session, clock).status, status(session, clock).estimated_seconds) == ("PROCESSING", None)
    imports.process_pending(instance.store, clock)
    assert status(session, clock).ended_at == NOW + timedelta(seconds=6)


def test_a_second_import_waits_for_the_rows_of_the_first(session, clock, instance, small_chunks):
    imports.set_processing_delay(session, 0)
    import_rows(session, clock, rows=many_rows(4))
    assert error_code(import_rows, session, clock) == 20110
    imports.process_pending(instance.store, clock)
    assert import_rows(session, clock) == "COMPLETE"


def test_failed_rows_of_every_chunk_are_counted_and_named_in_row_order(session, clock, instance, small_chunks):
    header = "Email Address,Num Employees"
    rows = ["a@example.com,1", "b@example.com,x", ",2", "c@example.com,3", "d@example.com", "e@example.com,4"]
    import_rows(session, clock, header=header, rows=rows)
    imports.process_pending(instance.store, clock)
    done = finish(session, clock)
    assert (done.rows_imported, done.rows_failed) == (3, 3)
    assert [part.split(":")[0] for part in done.summary.split("; ")[1:]] == ["row 2", "row 3", "row 5"]


def test_token_values_of_every_chunk_are_kept_for_the_campaign(session, clock, instance, small_chunks):
    header = "Email Address,{{my.message}}"
    rows = [f"row{n}@example.com,Hi {n}" for n in range(5)]
    import_rows(session, clock, header=header, rows=rows, campaign_name="Batch Campaign Example")
    imports.process_pending(instance.store, clock)
    kept = session.scalars(select(ImportedLeadTokens.tokens).order_by(ImportedLeadTokens.lead_id)).all()
    assert [tokens["{{my.message}}"] for tokens in kept] == [f"Hi {n}" for n in range(5)]


EQUIVALENCE_HEADER = "Last Name,First Name,Country,Num Employees,Email Address"
EQUIVALENCE_ROWS = [
    "Byron,Ada,,,ADA@example.com",  # an existing lead: a changed name, a changed Email spelling
    "Neu,Nina,Germany,12,nina@example.de",  # new, in the assignment rule's partition
    "Plain,Paul,,007,paul@example.com",  # new, an integer normalized
    "Neu,Nina,Germany,13,NINA@example.de",  # the lead row 2 created, updated (another chunk)
    "Bad,Bob,,many,bob@example.com",  # a value the field refuses
    "Hopper,Grace,,,grace@example.com",  # an existing lead unchanged
    "Neu,Nina,,14,nina@example.de",  # updated again (same chunk as row 4)
]


def written(session, emails):
    """What the rows wrote, by Email: each lead's values, partition and activities (no ids, no order
    between a lead's activities of one chunk)."""
    found = {}
    for email in emails:
        leads = find_by_key(session, "EMAIL", email)
        if leads:
            lead = leads[0]
            logged = session.execute(
                select(Activity.activity_type, Activity.asset_name, Activity.attributes).where(
                    Activity.lead_id == lead.id
                )
            )
            member = session.get(ListMember, (3003, lead.id)) is not None
            kinds = sorted((kind, asset, sorted(values.items())) for kind, asset, values in logged)
            found[email.lower()] = (lead.attributes, lead.partition_id, lead.updated_at, member, kinds)
    return found


EQUIVALENCE_FIELDS = {
    "Last Name": "LastName",
    "First Name": "FirstName",
    "Country": "Country",
    "Num Employees": "NumberOfEmployees",
}


def test_an_import_writes_what_sync_lead_writes_row_by_row(session, clock, instance, small_chunks):
    emails = [row.split(",")[-1] for row in EQUIVALENCE_ROWS]
    columns = EQUIVALENCE_HEADER.split(",")
    static_list = session.get(StaticList, 3003)
    with session.begin_nested() as by_row:
        for row in EQUIVALENCE_ROWS:
            cells = row.split(",")
            pairs = zip(columns, cells, strict=True)
            attributes = [(EQUIVALENCE_FIELDS[c], v) for c, v in pairs if c in EQUIVALENCE_FIELDS and v]
            try:
                with session.begin_nested():
                    lead_id = sync_lead(session, clock, LeadInput(email=cells[-1], attributes=attributes)).lead_id
            except MarketoError:
                continue
            lists.add_to_list(session, clock, static_list, lead_id)
        expected = written(session, emails)
        by_row.rollback()
    import_rows(session, clock, header=EQUIVALENCE_HEADER, rows=EQUIVALENCE_ROWS)
    imports.process_pending(instance.store, clock)
    assert written(session, emails) == expected
    assert expected["nina@example.de"][1] != expected["paul@example.com"][1]  # the rule's partition


# ------------------------------------------------------------------------ real concurrency


def import_body(rows, list_name="Trav-Other-List"):
    items = "".join(f"<stringItem>{escape(row)}</stringItem>" for row in rows)
    return (
        "<ns1:paramsImportToList><programName>Trav-Demo-Program</programName>"
        "<importFileHeader>Last Name,First Name,Job Title,Company Name,Email Address</importFileHeader>"
        f"<importFileRows>{items}</importFileRows><importListMode>UPSERTLEADS</importListMode>"
        f"<listName>{list_name}</listName><clearList>false</clearList></ns1:paramsImportToList>"
    )


STATUS_BODY = (
    "<ns1:paramsGetImportToListStatus><programName>Trav-Demo-Program</programName>"
    "<listName>Trav-Other-List</listName></ns1:paramsGetImportToListStatus>"
)
GET_ADA = "<ns1:paramsGetLead><leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue></leadKey></ns1:paramsGetLead>"


def test_a_get_lead_during_a_large_import_is_answered_while_the_import_processes(server):
    rows = 40 * imports.CHUNK_ROWS
    assert server.call(import_body(many_rows(rows)))[1].findtext(".//importStatus") == "PROCESSING"
    code, answer = server.call(GET_ADA)
    assert (code, answer.findtext(".//leadRecord/Email")) == (200, "ada@example.com")
    _, polled = server.call(STATUS_BODY)
    assert polled.findtext(".//result/status") == "PROCESSING"
    assert int(polled.findtext(".//result/rowsImported")) < rows
    imports.process_pending(server.instance.store, server.instance.clock)
    server.instance.clock.advance(imports.DEFAULT_PROCESSING_SECONDS * timedelta(seconds=1))
    _, done = server.call(STATUS_BODY)
    assert (done.findtext(".//result/status"), done.findtext(".//result/rowsImported")) == ("COMPLETE", str(rows))


def test_two_workers_on_one_store_apply_each_row_once(shared_url):
    first = Instance("one", shared_url, seed=read_seed_file(DEFAULT_SEED))
    second = Instance("two", shared_url)
    rows = 12 * imports.CHUNK_ROWS + 7
    try:
        with first.store.session() as session:
            import_rows(session, first.clock, rows=many_rows(rows))
        workers = [threading.Thread(target=imports.process_pending, args=(i.store, i.clock)) for i in (first, second)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        with second.store.session() as session:
            done = status(session, second.clock)
            leads = session.scalars(select(Lead.email).where(Lead.email.like("row%"))).all()
            added = select(Activity.lead_id).where(Activity.activity_type.in_(["NewLead", "AddToList"]))
            logged = session.scalars(added.where(Activity.lead_id.in_(members(session)))).all()
        assert (done.rows_imported, done.rows_failed, done.rows_waiting) == (rows, 0, 0)
        assert sorted(leads) == sorted(f"row{n}@example.com" for n in range(rows))
        assert len(logged) == 2 * rows
    finally:
        first.close()
        second.close()


def applied(instance: Instance) -> imports.ImportStatus:
    with instance.store.session() as session:
        return status(session, instance.clock)


def test_the_background_worker_applies_waiting_rows_and_stops_with_its_instance(shared_url):
    instance = Instance("worker", shared_url, seed=read_seed_file(DEFAULT_SEED))
    try:
        with instance.store.session() as session:
            imports.set_processing_delay(session, 0)
            import_rows(session, instance.clock, rows=many_rows(3 * imports.CHUNK_ROWS))
        instance.worker.wake()
        assert eventually(lambda: applied(instance).status == "COMPLETE", seconds=60)
        with instance.store.session() as session:
            assert status(session, instance.clock).rows_imported == 3 * imports.CHUNK_ROWS
    finally:
        instance.close()
    assert not any(thread.name == "mockmkto-worker-worker" for thread in threading.enumerate())


@given(st.text(alphabet=st.sampled_from('ab ,"\r\n\0é'), max_size=12))
def test_a_row_is_read_as_the_csv_module_reads_one_record(line):
    """A row (and the header) is one CSV record as the csv module reads it, quotes, line breaks and
    empty lines included; a line that is not exactly one record is refused (its row fails)."""
    try:
        records = list(csv.reader(io.StringIO(line, newline=""), strict=True))
    except csv.Error:
        records = []
    if len(records) == 1:
        assert imports.csv_record(line) == records[0]
    else:
        with pytest.raises(csv.Error):
            imports.csv_record(line)
