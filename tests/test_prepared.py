"""Prepared statements give the rows SQLAlchemy's own execution gives, processors included, on the
driver of each store (sqlite3, psycopg)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, Table, any_, bindparam, cast, exc, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY

from mockmkto.config import DEFAULT_SEED
from mockmkto.domain import activities
from mockmkto.domain.instance import Instance
from mockmkto.domain.seed_format import read_seed_file
from mockmkto.store import (
    activity_repository,
    campaign_run_repository,
    lead_repository,
    opportunity_repository,
    prepared,
    program_repository,
)
from mockmkto.store.campaign_models import CampaignRun
from mockmkto.store.db import StoreConflict, savepoint
from mockmkto.store.lead_repository import KEY_COLUMNS, NEWEST_FIRST, VIEW_COLUMNS
from mockmkto.store.mobject_models import Opportunity
from mockmkto.store.models import Activity, Campaign, Lead, UtcDateTime
from mockmkto.store.prepared import Prepared, PreparedInsert, PreparedUpdate


def as_sqlalchemy_gives(session, prepared: Prepared, params: dict) -> list[tuple]:
    return [tuple(row) for row in session.connection().execute(prepared.statement, params)]


@pytest.mark.parametrize(("key_type", "value"), [("EMAIL", "ada@example.com"), ("IDNUM", 2), ("COOKIE", "nobody")])
def test_lead_views_are_the_rows_sqlalchemy_reads(instance, key_type, value):
    by_sqlalchemy = select(*VIEW_COLUMNS).where(KEY_COLUMNS[key_type] == value).order_by(*NEWEST_FIRST)
    with instance.store.session() as session:
        rows = lead_repository.view_rows(session, key_type, value)
        assert [tuple(row) for row in rows] == [tuple(row) for row in session.execute(by_sqlalchemy)]
    assert len(rows) == (0 if key_type == "COOKIE" else 1)


def test_rows_name_their_columns_and_decode_json(instance):
    with instance.store.session() as session:
        (row,) = lead_repository.view_rows(session, "IDNUM", 2)
    assert (row.id, row.foreign_sys_person_id, row.foreign_sys_type) == (2, "SF-0002", "SFDC")
    assert row.attributes["LastName"] == "Hopper"


@pytest.mark.parametrize("microsecond", [0, 678000])
def test_datetimes_bind_and_read_back_as_sqlalchemy_stores_them(instance, microsecond):
    at = datetime(2030, 1, 2, 3, 4, 5, microsecond, tzinfo=UTC)
    runs = Prepared(select(CampaignRun.id, CampaignRun.run_at).where(CampaignRun.run_at <= bindparam("now")))
    with instance.store.session() as session:
        campaign_id = session.scalars(select(Campaign.id)).first()
        campaign_run_repository.add(
            session, campaign_id=campaign_id, source="SCHEDULE", status="scheduled", requested_at=at, run_at=at
        )
        assert runs.rows(session, {"now": at - timedelta(microseconds=1)}) == []
        (row,) = runs.rows(session, {"now": at})
        assert row.run_at == at and row.run_at.tzinfo is not None
        assert [tuple(row)] == as_sqlalchemy_gives(session, runs, {"now": at})
    with instance.store.session() as session:  # the run's time, as the next unit of work reads it
        assert campaign_run_repository.claim_due(session, at - timedelta(microseconds=1)) == []
        assert len(campaign_run_repository.claim_due(session, at)) == 1


def test_every_key_lookup_reads_the_column_it_names(instance):
    with instance.store.session() as session:
        lead = lead_repository.by_id(session, 2)
        lead_repository.update(
            session,
            lead,
            {column.key: f"key-{key_type}" for key_type, column in KEY_COLUMNS.items() if key_type != "IDNUM"},
        )
        for key_type in KEY_COLUMNS:
            value = 2 if key_type == "IDNUM" else f"key-{key_type}"
            assert [row.id for row in lead_repository.view_rows(session, key_type, value)] == [2]
            assert [found.id for found in lead_repository.find(session, key_type, value)] == [2]


def test_activity_inserts_write_what_sqlalchemy_reads_back(instance):
    at = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    entries = [activities.entry(1, "NewLead", at, {"Source Type": "Web service API"}), activities.entry(2, "Visit", at)]
    with instance.store.session() as session:
        activity_repository.add(session, entries)
        query = select(Activity).where(Activity.created_at == at).order_by(Activity.id)
        written = [(a.lead_id, a.activity_type, a.created_at, a.attributes) for a in session.scalars(query)]
    assert written == [(1, "NewLead", at, {"Source Type": "Web service API"}), (2, "Visit", at, {})]


def test_many_rows_inserted_at_once_are_the_rows_inserted_one_by_one(instance):
    """On PostgreSQL as many rows as prepared.COPY_ROWS go by COPY: the same rows, however their text."""
    at = datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    tricky = 'tab\there, "quoted", back\\slash, \\N, new\nline, é'
    entries = [
        activities.entry(1, "NewLead", at + timedelta(days=n), {"Note": tricky} if n % 2 else None, tricky, None)
        for n in range(prepared.COPY_ROWS + 5)
    ]

    def written(session, since: datetime) -> list[tuple]:
        query = select(Activity).where(Activity.created_at >= since).order_by(Activity.created_at, Activity.id)
        return [(a.lead_id, a.created_at, a.attributes, a.asset_name, a.campaign) for a in session.scalars(query)]

    with instance.store.session() as session:
        activity_repository.add(session, entries)
        at_once = written(session, at)
        session.execute(Activity.__table__.delete().where(Activity.created_at >= at))
        for one in entries:
            activity_repository.add(session, [one])
        assert at_once == written(session, at)
    assert at_once[1][2:] == ({"Note": tricky}, tricky, None)


def test_rows_sharing_a_value_are_written_as_rows_given_a_copy_each(instance):
    """A batch's rows share one datetime and one attributes document here and there (as a chunk of an
    import shares its `now`): each row is written as it would be with values of its own."""
    at, shared = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC), {"Note": "shared"}

    def entries(copied: bool) -> list[dict]:
        return [
            activities.entry(
                1,
                "Visit",
                (copy.copy(at) if copied else at) if n % 2 else at + timedelta(minutes=n),
                (dict(shared) if copied else shared) if n % 3 else {"Note": f"own {n}"},
            )
            for n in range(prepared.COPY_ROWS + 5)
        ]

    def written(session) -> list[tuple]:
        query = select(Activity).where(Activity.created_at >= at).order_by(Activity.created_at, Activity.id)
        return [(a.created_at, a.attributes) for a in session.scalars(query)]

    with instance.store.session() as session:
        activity_repository.add(session, entries(copied=False))
        sharing = written(session)
        session.execute(Activity.__table__.delete().where(Activity.created_at >= at))
        activity_repository.add(session, entries(copied=True))
        assert sharing == written(session)
    assert {attributes["Note"] for _, attributes in sharing} >= {"shared", "own 0"}


def test_a_write_returns_its_returning_columns_as_sqlalchemy_reads_them(instance):
    """A JSON document and a datetime come back decoded, as a SELECT of them does."""
    by_id = update(Lead.__table__).where(Lead.id == bindparam("lead_id"))
    written = Prepared(by_id.returning(Lead.attributes, Lead.updated_at), ("cookie",))
    with instance.store.session() as session:
        (returned,) = written.rows(session, {"lead_id": 1, "cookie": "id:returned"})
        assert [tuple(returned)] == as_sqlalchemy_gives(session, written, {"lead_id": 1, "cookie": "id:returned"})
    assert returned[0]["LastName"] == "Lovelace" and returned[1].tzinfo is not None


def test_an_update_sets_only_its_column_keys(instance):
    statement = update(Lead.__table__).where(Lead.__table__.c.id == bindparam("lead_id"))
    prepared = Prepared(statement, ("foreign_sys_type",))
    with instance.store.session() as session:
        prepared.run(session, {"lead_id": 2, "foreign_sys_type": "Custom", "attributes": {}})
        (row,) = lead_repository.view_rows(session, "IDNUM", 2)
    assert (row.foreign_sys_type, row.attributes["LastName"]) == ("Custom", "Hopper")


def test_a_statement_whose_defaults_sqlalchemy_computes_is_refused(instance):
    insert_lead = Prepared(insert(Lead.__table__), ("email",))  # attributes and anonymous have Python defaults
    with instance.store.session() as session, pytest.raises(ValueError, match="not preparable"):
        insert_lead.run(session, {"email": "x@example.com"})


LEAD_BY_EMAIL = Prepared(select(Lead).where(Lead.email == bindparam("value")))


def test_instances_are_what_the_orm_loads(instance):
    with instance.store.session() as session:
        (lead,) = LEAD_BY_EMAIL.instances(session, {"value": "grace@example.com"})
        columns = [column.key for column in Lead.__table__.columns]
        made = {key: getattr(lead, key) for key in columns}
        session.expunge(lead)
        loaded = session.scalars(select(Lead).where(Lead.email == "grace@example.com")).one()
        assert made == {key: getattr(loaded, key) for key in columns}


def test_an_instance_the_session_holds_wins_over_the_row(instance):
    with instance.store.session() as session:
        held = session.get(Lead, 1)
        held.foreign_sys_type = "Changed"
        assert LEAD_BY_EMAIL.first(session, {"value": "ada@example.com"}) is held
    with instance.store.session() as session:
        assert session.get(Lead, 1).foreign_sys_type == "Changed"  # flushed before the lookup, then committed


def test_a_made_instance_is_clean_and_its_changes_are_committed(instance):
    with instance.store.session() as session:
        lead = LEAD_BY_EMAIL.first(session, {"value": "ada@example.com"})
        assert not session.dirty and not session.new and lead in session
        lead.foreign_sys_type = "Edited"
    with instance.store.session() as session:
        assert session.get(Lead, lead.id).foreign_sys_type == "Edited"


def test_a_lookup_sees_what_the_session_has_not_flushed_yet(instance):
    at = datetime(2030, 1, 2, tzinfo=UTC)
    with instance.store.session() as session:
        pending = Lead(email="new@example.com", created_at=at, updated_at=at, attributes={})
        session.add(pending)
        assert LEAD_BY_EMAIL.first(session, {"value": "new@example.com"}) is pending


def test_rows_see_what_the_session_has_not_flushed_yet(instance):
    at = datetime(2030, 1, 2, tzinfo=UTC)
    with instance.store.session() as session:
        session.add(Lead(email="new@example.com", created_at=at, updated_at=at, attributes={}))
        (row,) = lead_repository.view_rows(session, "EMAIL", "new@example.com")
    assert row.attributes == {}


def test_the_same_columns_changed_in_another_order_share_one_prepared_update(instance):
    updates = PreparedUpdate(Lead)

    def change(columns: dict):
        with instance.store.session() as session:
            updates.run(session, session.get(Lead, 1), columns)

    change({"sfdc_lead_id": "L1", "sfdc_contact_id": "C1"})
    change({"sfdc_contact_id": "C2", "sfdc_lead_id": "L2"})
    assert len(updates.forms) == 1
    with instance.store.session() as session:
        lead = session.get(Lead, 1)
        assert (lead.sfdc_lead_id, lead.sfdc_contact_id) == ("L2", "C2")


def column_values(instance) -> dict:
    return {column.key: getattr(instance, column.key) for column in instance.__mapper__.column_attrs}


def test_a_prepared_get_loads_what_session_get_loads(instance):
    with instance.store.session() as session:
        campaign_ids = list(session.scalars(select(Campaign.id)))
        expected = {campaign_id: column_values(session.get(Campaign, campaign_id)) for campaign_id in campaign_ids}
    assert campaign_ids
    for campaign_id in campaign_ids:
        with instance.store.session() as session:
            found = program_repository.campaign_by_id(session, campaign_id)
            assert column_values(found) == expected[campaign_id]
            assert session.get(Campaign, campaign_id) is found and not session.dirty


def test_a_prepared_get_gives_the_instance_the_session_holds_or_none(instance):
    with instance.store.session() as session:
        (campaign_id,) = session.scalars(select(Campaign.id).limit(1))
        held = session.get(Campaign, campaign_id)
        held.name = "Changed, not flushed"
        assert program_repository.campaign_by_id(session, campaign_id) is held
        assert program_repository.campaign_by_id(session, 999999) is None
        assert program_repository.campaign_by_id(session, None) is None


def test_a_prepared_update_writes_the_columns_and_leaves_the_instance_clean(instance, clock):
    later = clock.now() + timedelta(days=1)
    with instance.store.session() as session:
        opportunity = Opportunity(attributes={"Name": "Old"}, created_at=clock.now(), updated_at=clock.now())
        session.add(opportunity)
        session.flush()
        PreparedUpdate(Opportunity).run(session, opportunity, {"attributes": {"Name": "New"}, "updated_at": later})
        assert opportunity.attributes == {"Name": "New"} and not session.dirty
        opportunity_id = opportunity.id
    with instance.store.session() as session:
        stored = session.get(Opportunity, opportunity_id)
        assert (stored.attributes, stored.updated_at) == ({"Name": "New"}, later)


COOKIE_OF_LEAD = Prepared(select(Lead.cookie).where(Lead.id == bindparam("lead_id")))
COOKIE_AS_STORED = text("SELECT cookie FROM leads WHERE id = :lead_id")


def test_a_write_sent_without_waiting_for_its_answer_is_read_by_the_next_prepared_statement(instance):
    with instance.store.session() as session:
        lead_repository.update(session, lead_repository.by_id(session, 2), {"cookie": "sent-first"})
        assert [row.cookie for row in COOKIE_OF_LEAD.rows(session, {"lead_id": 2})] == ["sent-first"]


def test_a_write_sent_without_waiting_for_its_answer_is_read_by_sqlalchemys_next_statement(instance):
    with instance.store.session() as session:
        lead_repository.update(session, lead_repository.by_id(session, 2), {"cookie": "sent-first"})
        assert session.scalar(COOKIE_AS_STORED, {"lead_id": 2}) == "sent-first"


def test_a_write_sent_last_is_committed_with_its_unit_of_work(instance):
    with instance.store.session() as session:
        lead_repository.update(session, lead_repository.by_id(session, 2), {"cookie": "sent-last"})
    with instance.store.session() as session:
        assert session.scalar(COOKIE_AS_STORED, {"lead_id": 2}) == "sent-last"


def test_a_sent_write_that_breaks_a_constraint_fails_its_unit_of_work_whole(instance):
    with pytest.raises(StoreConflict):
        with instance.store.session() as session:
            lead_repository.update(session, lead_repository.by_id(session, 3), {"cookie": "taken"})
            lead_repository.update(session, lead_repository.by_id(session, 2), {"cookie": "taken"})
    with instance.store.session() as session:  # nothing of it written, nor sent again by the next unit
        assert session.scalar(text("SELECT count(*) FROM leads WHERE cookie = 'taken'")) == 0
        lead_repository.update(session, lead_repository.by_id(session, 3), {"cookie": "free"})
    with instance.store.session() as session:
        assert session.scalar(COOKIE_AS_STORED, {"lead_id": 3}) == "free"
        assert session.scalar(text("SELECT count(*) FROM leads WHERE cookie = 'taken'")) == 0


def test_a_prepared_write_in_a_part_of_the_unit_of_work_that_fails_is_undone_with_it(instance):
    with instance.store.session() as session:
        with pytest.raises(LookupError), savepoint(session):
            lead_repository.update(session, lead_repository.by_id(session, 2), {"cookie": "undone"})
            raise LookupError("the part fails")
        lead_repository.update(session, lead_repository.by_id(session, 3), {"cookie": "kept"})
    with instance.store.session() as session:
        assert session.scalar(COOKIE_AS_STORED, {"lead_id": 2}) != "undone"
        assert session.scalar(COOKIE_AS_STORED, {"lead_id": 3}) == "kept"


LEADS_BY_ID = Prepared(select(Lead).where(Lead.id.in_(bindparam("ids", expanding=True))).order_by(Lead.id))


@pytest.mark.parametrize("ids", [[1, 2, 3], [3, 1, 3, 1], [2, 999, 998], [404], []])
def test_an_expanding_list_reads_the_rows_sqlalchemy_reads(instance, ids):
    with instance.store.session() as session:
        rows = LEADS_BY_ID.rows(session, {"ids": ids})
        assert [tuple(row) for row in rows] == as_sqlalchemy_gives(session, LEADS_BY_ID, {"ids": ids})
        found = LEADS_BY_ID.instances(session, {"ids": ids})
        assert [lead.id for lead in found] == sorted({i for i in ids if i <= 3})
        loaded = {lead.id: column_values(lead) for lead in session.scalars(select(Lead).where(Lead.id.in_(ids)))}
        assert {lead.id: column_values(lead) for lead in found} == loaded


def test_an_expanding_list_binds_each_item_as_its_type_says(instance):
    with instance.store.session() as session:
        created = {lead.id: lead.created_at for lead in session.scalars(select(Lead))}
    # Datetimes in another zone: the type's bind processor must store each as UTC, as SQLAlchemy does.
    by_created = Prepared(select(Lead.id).where(Lead.created_at.in_(bindparam("at", expanding=True))))
    away = timezone(timedelta(hours=5))
    with instance.store.session() as session:
        for ids in ([1, 2], [3, 1], [2]):
            params = {"at": [created[i].astimezone(away) for i in ids]}
            rows = by_created.rows(session, params)
            assert sorted(tuple(row) for row in rows) == sorted(as_sqlalchemy_gives(session, by_created, params))
            assert {row.id for row in rows} >= set(ids)


@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
def test_on_sqlite_the_text_for_a_list_length_is_made_once(instance):
    by_ids = Prepared(select(Lead.id).where(Lead.id.in_(bindparam("ids", expanding=True))))
    with instance.store.session() as session:
        for ids in ([1, 2], [3, 1], [2]):
            by_ids.rows(session, {"ids": ids})
    assert by_ids.texts_kept == 2


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
def test_on_postgresql_a_list_is_one_array_parameter_and_one_text_whatever_its_length(instance):
    """One text: psycopg prepares it on the server at its fifth run, whatever the lengths."""
    by_ids = Prepared(
        select(Lead.id.label("one_text_for_lists")).where(Lead.id.not_in(bindparam("ids", expanding=True)))
    )
    with instance.store.session() as session:
        every = {row.one_text_for_lists for row in by_ids.rows(session, {"ids": []})}
        for length in range(1, 7):
            ids = list(range(1, length + 1))
            assert {row.one_text_for_lists for row in by_ids.rows(session, {"ids": ids})} == every - set(ids)
        on_server = list(session.scalars(text("SELECT statement FROM pg_prepared_statements")))
    assert len([statement for statement in on_server if "one_text_for_lists" in statement]) == 1
    assert by_ids.texts_kept == 0


def test_an_expanding_list_gives_the_instances_the_session_holds(instance):
    with instance.store.session() as session:
        held = session.get(Lead, 1)
        held.foreign_sys_type = "Changed"
        (first, second) = LEADS_BY_ID.instances(session, {"ids": [2, 1]})
        assert first is held and second is session.get(Lead, 2) and not session.dirty


def test_records_by_id_are_what_the_orm_loads(instance):
    with instance.store.session() as session:
        (opportunity_id,) = session.scalars(select(Opportunity.id))
        (found,) = opportunity_repository.by_ids(session, Opportunity, [opportunity_id, opportunity_id + 1000])
        made = column_values(found)
        session.expunge(found)
        assert made == column_values(session.get(Opportunity, opportunity_id))


@pytest.mark.parametrize(
    "wanted",
    [
        {"EMAIL": ["ada@example.com", "nobody@example.com"]},
        {"EMAIL": ["ada@example.com"], "IDNUM": [2, 3, 999]},
        {"IDNUM": [1], "LEADOWNEREMAIL": ["nobody@example.com"], "SFDCLEADID": ["x"]},
    ],
)
def test_lookups_of_several_key_types_find_what_each_lookup_finds(instance, wanted):
    with instance.store.session() as session:
        found = lead_repository.ids_by_keys(session, {key_type: set(values) for key_type, values in wanted.items()})
        one_by_one = {
            (key_type, value): [lead.id for lead in lead_repository.find(session, key_type, value)]
            for key_type, values in wanted.items()
            for value in values
        }
    assert found and found == {key: ids for key, ids in one_by_one.items() if ids}


@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
def test_the_texts_kept_for_list_lengths_are_bounded(instance, monkeypatch):
    monkeypatch.setattr(prepared, "EXPANDED_TEXTS", 3)
    by_ids = Prepared(select(Lead.id).where(Lead.id.in_(bindparam("ids", expanding=True))).order_by(Lead.id))
    with instance.store.session() as session:
        for length in range(1, 8):
            ids = list(range(1, length + 1))
            assert [row.id for row in by_ids.rows(session, {"ids": ids})] == [i for i in ids if i <= 3]
            assert by_ids.texts_kept <= 3


def a_run(campaign_id: int, at: datetime) -> CampaignRun:
    return CampaignRun(
        campaign_id=campaign_id,
        source="MKTOWS",
        requested_at=at,
        run_at=at,
        status="completed",
        tokens={"{{my.Token}}": "value"},
        requested_lead_ids=[3, 1],
        cloned_from_program_id=None,
    )


def test_an_inserted_instance_is_the_row_the_orm_writes_and_comes_back_detached(instance):
    at = datetime(2026, 5, 1, 12, 30, 15, 250000, tzinfo=timezone(timedelta(hours=2)))
    with instance.store.session() as session:
        (campaign_id, *_) = session.scalars(select(Campaign.id))
        by_orm = a_run(campaign_id, at)
        session.add(by_orm)  # not flushed: what the session holds is written first
        inserted = PreparedInsert(CampaignRun).add(session, a_run(campaign_id, at))
        assert inserted.id == by_orm.id + 1 and inserted not in session
        made = column_values(inserted)
        session.expunge_all()
        assert column_values(session.get(CampaignRun, inserted.id)) == made
        assert {**made, "id": by_orm.id} == column_values(session.get(CampaignRun, by_orm.id))


def test_an_instance_without_every_column_is_not_inserted(instance):
    run = a_run(1, datetime(2026, 5, 1, tzinfo=UTC))
    del run.cloned_from_program_id
    with instance.store.session() as session:
        before = session.scalars(select(CampaignRun.id)).all()
        with pytest.raises(ValueError, match="cloned_from_program_id"):
            PreparedInsert(CampaignRun).add(session, run)
        assert session.scalars(select(CampaignRun.id)).all() == before


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
def test_a_lookup_planned_at_each_run_is_never_kept_prepared_on_the_server(instance):
    """psycopg prepares a statement on the server at its fifth run; one planned at each run never is."""
    kept = Prepared(select(Lead.id.label("kept_on_the_server")).where(Lead.email == bindparam("value")))
    planned_lookup = select(Lead.id.label("planned_each_run")).where(Lead.email == bindparam("value"))
    planned = Prepared(planned_lookup, plan_each_run=True)
    with instance.store.session() as session:
        for _ in range(10):
            kept.rows(session, {"value": "nobody@example.com"})
            planned.rows(session, {"value": "nobody@example.com"})
        on_server = list(session.scalars(text("SELECT statement FROM pg_prepared_statements")))
    assert any("kept_on_the_server" in statement for statement in on_server)
    assert not any("planned_each_run" in statement for statement in on_server)


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
def test_a_script_runs_its_statements_in_order_in_the_unit_of_work(instance):
    with instance.store.session() as session:
        prepared.run_script(session, "CREATE TEMP TABLE script_rows (n int); INSERT INTO script_rows VALUES (1), (2)")
        assert list(session.scalars(text("SELECT n FROM script_rows ORDER BY n"))) == [1, 2]


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
def test_rows_read_after_a_script_are_the_rows_the_statement_reads_once_it_ran(instance):
    """Sent with the script, as text, the statement reads what the script did, its values as `rows`
    reads them (PostgreSQL answers the simple query protocol in text, not binary)."""
    table = Table("after_script", MetaData(), Column("n", Integer), Column("at", UtcDateTime), Column("doc", JSON))
    statement = Prepared(select(table).where(table.c.n >= 2).order_by(table.c.n))
    script = (
        "CREATE TEMP TABLE after_script (n int, at timestamp, doc json); INSERT INTO after_script VALUES "
        """(1, '2030-01-02 03:04:05', '{"a": 1}'), (2, '2030-01-02 03:04:05.678', '{"b": [1, "x"]}'), (3, NULL, NULL)"""
    )
    with instance.store.session() as session:
        after = statement.rows_after(session, script)
        assert [tuple(row) for row in after] == [
            (2, datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), {"b": [1, "x"]}),
            (3, None, None),
        ]
        assert [tuple(row) for row in after] == [tuple(row) for row in statement.rows(session)]


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
def test_a_script_that_fails_raises_the_database_error_as_sqlalchemy_does(instance):
    with pytest.raises(exc.ProgrammingError, match="no_such_table"):
        with instance.store.session() as session:
            prepared.run_script(session, "SELECT 1; SELECT * FROM no_such_table")
    with instance.store.session() as session:  # the unit of work rolled back whole, the next one begins
        assert session.scalar(select(Lead.id).where(Lead.id == 2)) == 2


@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
def test_a_begin_the_driver_refuses_raises_the_database_error_as_sqlalchemy_does(instance):
    """The store names SQLAlchemy's errors (a database locked past its timeout: StoreUnavailable)."""
    with instance.store.session() as session:
        connection = session.connection()
        with pytest.raises(exc.OperationalError, match="within a transaction"):
            prepared.begin_immediate(connection.connection.driver_connection, connection.dialect)
    with instance.store.session() as session:
        assert session.scalar(select(Lead.id).where(Lead.id == 2)) == 2


def test_after_copies_grow_a_new_table_the_server_knows_a_lookup_of_many_values_finds_few_rows(postgres_databases):
    """COPYs that grow a table the server has no statistics of yet (a new database) leave the server
    knowing it: it expects a lookup of an import chunk's 500 Emails to find about 500 leads, and plans
    it so. Without statistics it guessed most of the table, and scanned it whole at every chunk."""
    instance = Instance("statistics", postgres_databases.new("statistics"), seed=read_seed_file(DEFAULT_SEED))
    try:
        with instance.store.session() as session:
            at, notes = instance.clock.now(), {"Notes": "a lead's notes " * 20}
            for first in range(0, 12_000, 500):
                rows = [
                    {"email": f"bulk{n}@example.com", "attributes": notes, "created_at": at, "updated_at": at}
                    for n in range(first, first + 500)
                ]
                lead_repository.insert_rows(session, rows)
        with instance.store.session() as session:
            emails = [f"bulk{n}@example.com" for n in range(0, 12_000, 24)]
            lookup = select(Lead.id).where(Lead.email == any_(cast(emails, ARRAY(Lead.email.type))))
            sql = str(lookup.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
            plan = session.execute(text("EXPLAIN (FORMAT JSON) " + sql)).scalar_one()
    finally:
        instance.close()
    assert plan[0]["Plan"]["Plan Rows"] <= 2 * len(emails)
