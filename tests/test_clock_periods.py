"""Counts over a period cover the period's start and its end, so a test may move the mock's clock
forward, act, move it back and act again: what it did on a later day (or a later rate window) does not
count toward today."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mockmkto.domain import campaign_runs, campaigns, imports, program_clones
from mockmkto.domain.errors import MarketoError
from mockmkto.store import campaign_models
from mockmkto.store.campaign_models import CampaignRun

CHICAGO = ZoneInfo("America/Chicago")
TODAY = datetime(2026, 3, 10, 12, 0, tzinfo=CHICAGO)
TOMORROW = TODAY + timedelta(days=1)


def clone(session, clock, name: str):
    return campaigns.schedule_campaign(
        session, clock, "Trav-Demo-Program", "Batch Campaign Example", clone_to_program_name=name
    )


def admit(instance, session) -> int | None:
    """A getLead admitted now: None, or the code of the quota fault it gets."""
    error = instance.limits.admit(session, "getLead").error
    return error.code if error is not None else None


def test_clones_of_a_later_day_do_not_count_toward_today(session, clock):
    clock.freeze(TOMORROW)
    for n in range(program_clones.CLONES_PER_DAY):
        clone(session, clock, f"Tomorrow {n}")
    with pytest.raises(MarketoError) as refused:
        clone(session, clock, "Tomorrow, one too many")
    assert refused.value.code == 20110
    clock.set(TODAY)
    assert clone(session, clock, "Today").program == "Today"


def test_calls_of_a_later_day_do_not_count_toward_todays_quota(instance, session):
    instance.limits.set_quotas(enabled=True, daily=2, rate=1000)
    instance.clock.freeze(TOMORROW)
    assert [admit(instance, session) for _ in range(3)] == [None, None, 20015]
    instance.clock.set(TODAY)
    assert admit(instance, session) is None


def test_calls_of_a_later_rate_window_do_not_count_toward_this_one(instance, session):
    instance.limits.set_quotas(enabled=True, daily=1000, rate=2)
    instance.clock.freeze(TODAY + timedelta(hours=1))
    assert [admit(instance, session) for _ in range(3)] == [None, None, 20023]
    instance.clock.set(TODAY)
    assert admit(instance, session) is None


def test_a_run_scheduled_later_is_not_due_after_the_clock_went_back(session, clock):
    clock.freeze(TODAY)
    run = campaigns.schedule_campaign(
        session, clock, "Trav-Demo-Program", "Batch Campaign Example", run_at=TODAY + timedelta(hours=2)
    )
    clock.set(TODAY + timedelta(hours=3))
    clock.set(TODAY)
    assert campaign_runs.run_due(session, clock) == 0
    assert session.get(CampaignRun, run.id).status == campaign_models.SCHEDULED


def test_a_run_carried_out_stays_done_after_the_clock_went_back(session, clock):
    clock.freeze(TODAY)
    run = campaigns.schedule_campaign(
        session, clock, "Trav-Demo-Program", "Batch Campaign Example", run_at=TODAY + timedelta(hours=2)
    )
    clock.set(TODAY + timedelta(hours=3))
    assert campaign_runs.run_due(session, clock) == 1
    clock.set(TODAY)
    assert campaign_runs.run_due(session, clock) == 0
    assert session.get(CampaignRun, run.id).status != campaign_models.SCHEDULED


def test_an_import_of_a_later_day_is_not_in_progress_today(session, clock):
    clock.freeze(TOMORROW)
    assert import_two_rows(session, clock) == imports.PROCESSING
    with pytest.raises(MarketoError) as busy:
        import_two_rows(session, clock)
    assert busy.value.code == 20110  # in progress tomorrow
    clock.set(TODAY)
    assert import_two_rows(session, clock) == imports.PROCESSING


def import_two_rows(session, clock) -> str:
    rows = ["Doe,Jane,jdoe@example.com", "Roe,Rick,rroe@example.com"]
    return imports.import_to_list(
        session,
        clock,
        "Trav-Demo-Program",
        "Trav-Other-List",
        "Last Name,First Name,Email Address",
        rows,
        "UPSERTLEADS",
    ).status
