"""The `campaign_runs`, `campaign_run_leads` and `imported_lead_tokens` tables: the one way campaign
runs, and the My Token values importToList keeps for a campaign's next run, are written.

A run is written once (requested: completed at once; scheduled: waiting for its time) and later
only claimed: the claim is a conditional UPDATE, so of two calls that find one run due, exactly
one carries it out. Every SOAP operation first asks whether a run is due: the answer comes with the
shared state (NEXT_RUN_AT), not from a statement of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from mockmkto.store.campaign_models import COMPLETED, SCHEDULED, CampaignRun, CampaignRunLead, ImportedLeadTokens
from mockmkto.store.prepared import NewRow, Prepared, PreparedInsert

_INSERT = PreparedInsert(CampaignRun)
_INSERT_LEADS = Prepared(insert(CampaignRunLead.__table__), ("run_id", "lead_id", "position", "tokens"))
# session.info key: when the first scheduled run is due (None: no run is scheduled), as the unit of
# work began (store/db.py reads it with the shared state) and as `add` has moved it since. Every
# write to campaign_runs is here, so the common case (nothing due) needs no statement of its own.
NEXT_RUN_AT = "next_run_at"
_CLAIM = (
    update(CampaignRun.__table__)
    .where(CampaignRun.id == bindparam("run_id"), CampaignRun.status == SCHEDULED)
    .values(status=COMPLETED)
)
_IMPORTED_TOKENS = Prepared(
    select(ImportedLeadTokens.lead_id, ImportedLeadTokens.tokens).where(
        ImportedLeadTokens.campaign_id == bindparam("campaign_id")
    )
)
_INSERT_TOKENS = Prepared(insert(ImportedLeadTokens.__table__), ("campaign_id", "lead_id", "import_id", "tokens"))
_NEW_RUN = NewRow(CampaignRun.__table__)


_FIRST_SCHEDULED = select(func.min(CampaignRun.run_at)).where(CampaignRun.status == SCHEDULED)


def next_run_at():
    """The time the first scheduled run is due, as a column (a scalar subquery) for the state read."""
    return _FIRST_SCHEDULED.scalar_subquery().label(NEXT_RUN_AT)


def add(session: Session, **columns: Any) -> CampaignRun:
    """A new run of `columns` (tokens empty, no requested leads and no clone unless given)."""
    run = _INSERT.add(session, CampaignRun(**_NEW_RUN(columns)))
    session.add(run)  # held by the session, as the runs `claim_due` reads: one instance per run
    if run.status == SCHEDULED:
        first = session.info.get(NEXT_RUN_AT)
        session.info[NEXT_RUN_AT] = run.run_at if first is None else min(first, run.run_at)
    return run


def add_leads(session: Session, run_id: int, leads: list[tuple[int, dict]]) -> None:
    """The leads that went through a run, in order, each with its resolved My Token values."""
    if leads:
        rows = [
            {"run_id": run_id, "lead_id": lead_id, "position": position, "tokens": tokens}
            for position, (lead_id, tokens) in enumerate(leads)
        ]
        _INSERT_LEADS.run(session, rows)


def claim_due(session: Session, now: datetime) -> list[CampaignRun]:
    """The scheduled runs whose time has come, oldest first, each marked completed by this call:
    a run another call claimed first is left out."""
    first = session.info.get(NEXT_RUN_AT)
    if first is None or first > now:
        return []
    due = session.scalars(
        select(CampaignRun)
        .where(CampaignRun.status == SCHEDULED, CampaignRun.run_at <= now)
        .order_by(CampaignRun.run_at, CampaignRun.id)
    ).all()
    claimed = []
    for run in due:
        # An UPDATE's result is a CursorResult, with its rowcount.
        if cast(CursorResult, session.execute(_CLAIM, {"run_id": run.id})).rowcount == 1:
            set_committed_value(run, "status", COMPLETED)
            claimed.append(run)
    session.info[NEXT_RUN_AT] = session.scalar(_FIRST_SCHEDULED)
    return claimed


def run_leads(session: Session, run_id: int) -> list[tuple[int, dict]]:
    """A run's leads in order, each with its tokens (see `add_leads`)."""
    rows = session.scalars(
        select(CampaignRunLead).where(CampaignRunLead.run_id == run_id).order_by(CampaignRunLead.position)
    )
    return [(row.lead_id, dict(row.tokens)) for row in rows]


def runs(session: Session, campaign_id: int | None = None) -> list[CampaignRun]:
    """Every run, by run time then id; optionally of one campaign."""
    query = select(CampaignRun).order_by(CampaignRun.run_at, CampaignRun.id)
    if campaign_id is not None:
        query = query.where(CampaignRun.campaign_id == campaign_id)
    return list(session.scalars(query))


def keep_imported_tokens(session: Session, campaign_id: int, import_id: int, tokens: dict[int, dict]) -> None:
    """Lead id -> its My Token values from an import, for the campaign's next run (in place of any
    values an earlier import kept for that lead)."""
    if not tokens:
        return
    table = ImportedLeadTokens.__table__
    session.execute(
        delete(table).where(ImportedLeadTokens.campaign_id == campaign_id, ImportedLeadTokens.lead_id.in_(tokens))
    )
    rows = [
        {"campaign_id": campaign_id, "lead_id": lead_id, "import_id": import_id, "tokens": values}
        for lead_id, values in tokens.items()
    ]
    _INSERT_TOKENS.run(session, rows)


def take_imported_tokens(session: Session, campaign_id: int) -> dict[int, dict]:
    """The imported My Token values waiting for the campaign's run, by lead id, used up: they serve
    one run only."""
    taken = {row.lead_id: row.tokens for row in _IMPORTED_TOKENS.rows(session, {"campaign_id": campaign_id})}
    if taken:
        session.execute(delete(ImportedLeadTokens.__table__).where(ImportedLeadTokens.campaign_id == campaign_id))
    return taken
