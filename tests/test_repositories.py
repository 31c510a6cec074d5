"""The store's repositories: what a call reads of a table is what it wrote, on both stores.

Each table a repository owns is written only through it (docs/architecture.md): these tests hold it
to what the domain relies on, within one unit of work and across units of work.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import any_, cast, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from mockmkto.config import DEFAULT_SEED
from mockmkto.domain import activities, campaign_runs
from mockmkto.domain.campaigns import schedule_campaign
from mockmkto.domain.instance import Instance
from mockmkto.domain.lead_merge import merge_leads
from mockmkto.domain.leads import LeadInput, sync_lead
from mockmkto.domain.seed_format import read_seed_file
from mockmkto.store import activity_repository, lead_repository, list_member_repository, opportunity_repository
from mockmkto.store.mobject_models import Opportunity, OpportunityPersonRole
from mockmkto.store.models import Activity, Lead, ListMember, StaticList

ADA, GRACE = 1, 2
KEY_VALUES = {
    key_type: [ADA, GRACE] if key_type == "IDNUM" else ["K-1", "K-2"] for key_type in lead_repository.KEY_COLUMNS
}


def plan(session, query, scans_priced_out: bool = True) -> str:
    """How the database would run `query`: its plan's lines. On PostgreSQL with sequential scans
    priced out (`scans_priced_out`), so any index that can serve the query is the one planned; else
    as the store's connections plan it."""
    dialect = session.get_bind().dialect
    sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    if dialect.name == "postgresql":
        if scans_priced_out:
            session.execute(text("SET LOCAL enable_seqscan = off"))
        return "\n".join(row[0] for row in session.execute(text("EXPLAIN " + sql)))
    return "\n".join(row[-1] for row in session.execute(text("EXPLAIN QUERY PLAN " + sql)))


def any_of(column, values):
    """`column` matching any of `values` as the store sends a list to PostgreSQL: one array."""
    return column == any_(cast(values, ARRAY(column.type)))


def searches_an_index(lines: str) -> bool:
    """Whether the plan finds the rows through an index's condition (not a scan of every row)."""
    return "Index Cond" in lines or "SEARCH leads USING" in lines


def test_a_lookup_by_any_lead_key_searches_an_index(session):
    ways = [("=", lambda column, values: column == values[0]), ("IN", lambda column, values: column.in_(values))]
    if session.get_bind().dialect.name == "postgresql":  # how the store sends a list there
        ways.append(("= ANY", any_of))
    not_searched = [
        (key_type, how)
        for key_type, column in lead_repository.KEY_COLUMNS.items()
        for how, matching in ways
        if not searches_an_index(plan(session, select(Lead.id).where(matching(column, KEY_VALUES[key_type]))))
    ]
    assert not_searched == []


def test_a_chunks_lookup_by_email_searches_the_index_among_tens_of_thousands_of_leads(session, clock):
    """An import chunk looks its 500 Emails up at once. Among 40,000 leads (the planner's statistics
    up to date) the database searches the Email index, where with its default price of a page read
    out of order PostgreSQL planned to read every lead (store/db.py PLANNER_SETTINGS)."""
    now = clock.now()
    leads = [
        {"email": f"user{n}@example.com", "created_at": now, "updated_at": now, "attributes": {"FirstName": f"F{n}"}}
        for n in range(40_000)
    ]
    lead_repository.insert_rows(session, leads)
    session.execute(text("ANALYZE leads"))
    emails = [f"new{n}@example.com" for n in range(500)]
    postgresql = session.get_bind().dialect.name == "postgresql"
    matching = any_of(Lead.email, emails) if postgresql else Lead.email.in_(emails)
    query = select(Lead.email, Lead.id).where(matching).order_by(*lead_repository.NEWEST_FIRST)
    assert searches_an_index(plan(session, query, scans_priced_out=False))


def test_a_lead_found_twice_in_a_unit_of_work_is_one_object_holding_what_was_written(instance):
    with instance.store.session() as session:
        by_id = lead_repository.find_newest(session, "IDNUM", ADA)
        lead_repository.update(session, by_id, {"cookie": "id:written-here"})
        by_cookie = lead_repository.find_newest(session, "COOKIE", "id:written-here")
        assert by_cookie is by_id and by_id.cookie == "id:written-here"
        assert [row.id for row in lead_repository.view_rows(session, "COOKIE", "id:written-here")] == [ADA]


def test_a_written_lead_is_stored_for_the_next_unit_of_work(instance, clock):
    now = clock.now()
    with instance.store.session() as session:
        lead = lead_repository.find_newest(session, "IDNUM", ADA)
        lead_repository.update(session, lead, {"sfdc_lead_id": "00Q-NEXT", "updated_at": now})
    with instance.store.session() as session:
        (found,) = lead_repository.find(session, "SFDCLEADID", "00Q-NEXT")
        assert (found.id, found.updated_at) == (ADA, now)


def test_a_json_document_is_read_back_as_it_was_written(instance, clock):
    document = {"City": "Zürich ✓", "Visits": 2**70, "Tags": ["a", None, 1.5], "Nested": {"Empty": ""}}
    with instance.store.session() as session:
        lead = lead_repository.find_newest(session, "IDNUM", ADA)
        lead_repository.update(session, lead, {"attributes": document, "updated_at": clock.now()})
    with instance.store.session() as session:
        assert lead_repository.find_newest(session, "IDNUM", ADA).attributes == document


def test_a_lead_is_found_by_a_non_ascii_attribute_value(instance, clock):
    with instance.store.session() as session:
        lead = lead_repository.find_newest(session, "IDNUM", ADA)
        lead_repository.update(session, lead, {"attributes": {"City": "Zürich"}, "updated_at": clock.now()})
    with instance.store.session() as session:
        assert lead_repository.newest_with_attribute(session, "City", "Zürich").id == ADA


def test_an_inserted_lead_is_found_by_each_of_its_keys_in_the_same_unit_of_work(instance, clock):
    columns = {"email": "new@example.com", "cookie": "id:new", "foreign_sys_person_id": "NEW-1"}
    with instance.store.session() as session:
        lead = lead_repository.insert(session, columns | {"created_at": clock.now(), "updated_at": clock.now()})
        for key_type, value in (("EMAIL", "new@example.com"), ("COOKIE", "id:new"), ("FOREIGNSYSPERSONID", "NEW-1")):
            assert lead_repository.find(session, key_type, value) == [lead]
        assert lead_repository.find_newest(session, "IDNUM", lead.id) is lead


def test_of_several_leads_sharing_an_email_the_most_recently_updated_is_found_first(instance, clock):
    now = clock.now()
    shared = {"email": "shared@example.com", "created_at": now}
    with instance.store.session() as session:
        older = lead_repository.insert(session, shared | {"updated_at": now})
        newer = lead_repository.insert(session, shared | {"updated_at": now + timedelta(seconds=1)})
        assert lead_repository.find(session, "EMAIL", "shared@example.com") == [newer, older]
        assert lead_repository.find_newest(session, "EMAIL", "shared@example.com") is newer


def test_a_merged_loser_is_gone_from_the_table_and_from_the_unit_of_work(instance, clock):
    with instance.store.session() as session:
        loser = lead_repository.find_newest(session, "IDNUM", GRACE)
        merge_leads(session, clock, [("IDNUM", str(ADA))], [[("IDNUM", str(GRACE))]])
        assert lead_repository.find(session, "IDNUM", GRACE) == []
        assert loser not in session
    with instance.store.session() as session:
        assert lead_repository.find(session, "IDNUM", GRACE) == []
        assert session.scalars(select(Activity).where(Activity.lead_id == GRACE)).all() == []


def test_moved_memberships_leave_one_membership_where_both_leads_were_members(instance):
    with instance.store.session() as session:
        (list_id,) = session.scalars(select(StaticList.id).limit(1))
        list_member_repository.add(session, list_id, [ADA, GRACE])
        list_member_repository.move_to_lead(session, GRACE, ADA)
        members = session.scalars(select(ListMember.lead_id).where(ListMember.list_id == list_id)).all()
    assert members.count(ADA) == 1 and GRACE not in members


def test_activities_moved_to_another_lead_keep_their_order(instance, clock):
    entries = [activities.entry(GRACE, kind, clock.now()) for kind in ("VisitWebpage", "ClickLink")]
    with instance.store.session() as session:
        activity_repository.add(session, entries)
        activity_repository.move_to_lead(session, GRACE, ADA)
        moved = session.scalars(
            select(Activity.activity_type)
            .where(Activity.lead_id == ADA, Activity.activity_type.in_(["VisitWebpage", "ClickLink"]))
            .order_by(Activity.id)
        ).all()
    assert moved[-2:] == ["VisitWebpage", "ClickLink"]


def test_a_deleted_opportunity_takes_its_person_roles_with_it(instance, clock):
    now = {"created_at": clock.now(), "updated_at": clock.now()}
    with instance.store.session() as session:
        opportunity_id = opportunity_repository.insert(session, Opportunity, {"attributes": {"Name": "Deal"}} | now)
        role_columns = {"opportunity_id": opportunity_id, "person_id": ADA, "attributes": {}} | now
        role_id = opportunity_repository.insert(session, OpportunityPersonRole, role_columns)
        role = opportunity_repository.by_id(session, OpportunityPersonRole, role_id)
        opportunity_repository.delete(session, opportunity_repository.by_id(session, Opportunity, opportunity_id))
        assert role not in session
        assert opportunity_repository.by_id(session, OpportunityPersonRole, role_id) is None
    with instance.store.session() as session:
        assert opportunity_repository.by_id(session, Opportunity, opportunity_id) is None


def test_a_lead_created_by_sync_lead_is_read_back_by_the_next_call(instance, clock):
    with instance.store.session() as session:
        created = sync_lead(session, clock, LeadInput(email="Fresh@Example.com"), marketo_cookie="id:fresh")
    with instance.store.session() as session:
        (lead,) = lead_repository.find(session, "COOKIE", "id:fresh")
        assert (lead.id, lead.email, lead.anonymous) == (created.lead_id, "fresh@example.com", False)


def test_a_run_scheduled_through_one_process_is_carried_out_by_the_next_call_to_another(request, store_kind, tmp_path):
    """When a run is due travels with the shared state, not in a process: a second Instance on the
    same database stands for another process (or host)."""
    if store_kind == "sqlite":
        url = f"sqlite:///{tmp_path}/shared.db"
    else:
        url = request.getfixturevalue("postgres_databases").new("due")
    seed = read_seed_file(DEFAULT_SEED)
    scheduling, carrying_out = Instance("one", url, seed=seed), Instance("other", url, seed=None)
    try:
        with scheduling.unit_of_work() as session:
            scheduled = schedule_campaign(
                session,
                scheduling.clock,
                "Trav-Demo-Program",
                "Batch Campaign Example",
                run_at=scheduling.clock.now() + timedelta(hours=1),
            )
        assert scheduled.status == "scheduled"
        carrying_out.clock.advance(timedelta(hours=2))
        with carrying_out.unit_of_work() as session:
            assert campaign_runs.run_due(session, carrying_out.clock) == 1
            (run,) = campaign_runs.list_runs(session)
        assert (run.id, run.status) == (scheduled.id, "completed")
    finally:
        scheduling.close()
        carrying_out.close()
