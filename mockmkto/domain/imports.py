"""importToList and getImportToListStatus: CSV rows into a static list of a program.

Marketo imports asynchronously. The mock applies the rows when the call is made, but reports the
import as PROCESSING until its processing delay has passed on the mock's clock; from then on it
reports the outcome: COMPLETE, or FAILED when every row failed.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mockmkto.domain import campaigns, lists
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import FieldDef, lead_schema
from mockmkto.domain.leads import LeadInput, find_by_key, sync_lead
from mockmkto.store.campaign_models import ImportedLeadTokens, ListImport
from mockmkto.store.models import Campaign, ListMember, Program, Setting, StaticList

IMPORT_MODES = ("UPSERTLEADS", "LISTONLY")
PROCESSING, COMPLETE, FAILED = "PROCESSING", "COMPLETE", "FAILED"
DEFAULT_PROCESSING_SECONDS = 5.0
PROCESSING_SETTING = "import_processing_seconds"


@dataclass
class ImportStatus:
    """getImportToListStatus's answer; the counts and the end are known once the import is done."""

    status: str
    started_at: datetime
    ended_at: datetime | None
    estimated_seconds: int | None
    estimated_rows: int
    rows_imported: int
    rows_failed: int
    rows_ignored: int
    summary: str | None


@dataclass
class ImportView:
    id: int
    program: str
    list: str
    campaign: str | None
    mode: str
    clear_list: bool
    status: ImportStatus


@dataclass
class _Columns:
    """The importFileHeader: lead field columns and {{my.token}} columns, by position."""

    width: int
    email: int
    fields: list[tuple[int, FieldDef]]
    tokens: list[tuple[int, str]]


def processing_delay(session: Session) -> timedelta:
    """How long an import reports PROCESSING (mock time); settable per instance."""
    setting = session.get(Setting, PROCESSING_SETTING)
    return timedelta(seconds=float(setting.value) if setting is not None else DEFAULT_PROCESSING_SECONDS)


def set_processing_delay(session: Session, seconds: float) -> None:
    if seconds < 0:
        raise ValueError("an import's processing delay cannot be negative")
    session.merge(Setting(name=PROCESSING_SETTING, value=repr(float(seconds))))


def import_to_list(
    session: Session,
    clock: Clock,
    program_name: str | None,
    list_name: str | None,
    header: str | None,
    rows: Sequence[str] | None,
    mode: str | None,
    clear_list: bool = False,
    campaign_name: str | None = None,
) -> str:
    """importToList: add the rows' leads to the program's static list; return the import status.

    UPSERTLEADS creates or updates each row's lead (matched by Email) before adding it; LISTONLY
    adds only leads that exist (other rows are ignored). Token columns need `campaign_name`: the
    campaign's next run uses each lead's values, then discards them.
    """
    for value, name in ((program_name, "programName"), (list_name, "listName"), (header, "importFileHeader")):
        if campaigns.given(value) is None:
            raise MarketoError(20109, f"{name} is required")
    if rows is None:
        raise MarketoError(20109, "importFileRows is required")
    if campaigns.given(mode) is None:
        raise MarketoError(20109, "importListMode is required")
    if mode.strip() not in IMPORT_MODES:
        raise MarketoError(20110, f"Bad importListMode {mode}: UPSERTLEADS or LISTONLY")
    now = campaigns.utc(clock.now())
    # Runs that fell due before this import happen before it.
    campaigns.run_due(session, clock)
    program, static_list = _program_list(session, program_name, list_name)
    columns = _columns(session, header)
    campaign = None
    if campaigns.given(campaign_name) is not None:
        campaign = campaigns.find_campaign(session, program, campaign_name)
        if campaign is None:
            raise MarketoError(20113, f"Campaign {campaign_name} not found in program {program.name}")
    elif columns.tokens:
        raise MarketoError(20109, "campaignName is required when importFileHeader has {{my.token}} columns")
    latest = _latest(session, static_list)
    if latest is not None and latest.ends_at > now:
        raise MarketoError(20110, f"Import in progress for list {static_list.name}")
    if clear_list:
        for lead_id in list(session.scalars(select(ListMember.lead_id).where(ListMember.list_id == static_list.id))):
            lists.remove_from_list(session, clock, static_list, lead_id)
    record = ListImport(
        program_id=program.id,
        list_id=static_list.id,
        campaign_id=campaign.id if campaign else None,
        mode=mode.strip(),
        clear_list=bool(clear_list),
        started_at=now,
        ends_at=now + processing_delay(session),
        outcome=COMPLETE,
        rows=len(rows),
        rows_imported=0,
        rows_failed=0,
        rows_ignored=0,
        summary="",
    )
    session.add(record)
    session.flush()
    _import_rows(session, clock, record, static_list, columns, rows)
    return _status(record, now).status


def import_status(session: Session, clock: Clock, program_name: str | None, list_name: str | None) -> ImportStatus:
    """getImportToListStatus: the latest import into the program's list; 20111 if it never had one."""
    for value, name in ((program_name, "programName"), (list_name, "listName")):
        if campaigns.given(value) is None:
            raise MarketoError(20109, f"{name} is required")
    _, static_list = _program_list(session, program_name, list_name)
    latest = _latest(session, static_list)
    if latest is None:
        raise MarketoError(20111, f"No import into list {static_list.name}")
    return _status(latest, campaigns.utc(clock.now()))


def list_imports(session: Session, clock: Clock) -> list[ImportView]:
    """Every import, oldest first, with its status as of the mock's clock."""
    now = campaigns.utc(clock.now())
    views = []
    for record in session.scalars(select(ListImport).order_by(ListImport.id)):
        campaign = session.get(Campaign, record.campaign_id) if record.campaign_id is not None else None
        views.append(
            ImportView(
                id=record.id,
                program=session.get(Program, record.program_id).name,
                list=session.get(StaticList, record.list_id).name,
                campaign=campaign.name if campaign else None,
                mode=record.mode,
                clear_list=record.clear_list,
                status=_status(record, now),
            )
        )
    return views


def _program_list(session: Session, program_name: str, list_name: str) -> tuple[Program, StaticList]:
    program = campaigns.find_program(session, program_name)
    if program is None:
        raise MarketoError(20110, f"Program {program_name} not found")
    static_list = session.scalar(
        select(StaticList).where(
            StaticList.program_id == program.id, func.lower(StaticList.name) == list_name.strip().lower()
        )
    )
    if static_list is None:
        raise MarketoError(20111, f"List {list_name} not found in program {program.name}")
    return program, static_list


def _latest(session: Session, static_list: StaticList) -> ListImport | None:
    return session.scalar(
        select(ListImport).where(ListImport.list_id == static_list.id).order_by(ListImport.id.desc()).limit(1)
    )


def _status(record: ListImport, now: datetime) -> ImportStatus:
    if now < record.ends_at:
        remaining = math.ceil((record.ends_at - now).total_seconds())
        return ImportStatus(PROCESSING, record.started_at, None, remaining, record.rows, 0, 0, 0, None)
    return ImportStatus(
        record.outcome,
        record.started_at,
        record.ends_at,
        None,
        record.rows,
        record.rows_imported,
        record.rows_failed,
        record.rows_ignored,
        record.summary,
    )


def _csv_record(line: str) -> list[str]:
    """One CSV record (RFC 4180: quoted fields may hold commas, quotes and line breaks)."""
    records = list(csv.reader(io.StringIO(line, newline=""), strict=True))
    if len(records) != 1:
        raise csv.Error("not exactly one CSV record")
    return records[0]


def _columns(session: Session, header: str) -> _Columns:
    """Read the header: lead field display names ("Email Address") and {{my.token}} columns."""
    try:
        names = [name.strip() for name in _csv_record(header)]
    except csv.Error:
        raise MarketoError(20110, "importFileHeader is not one CSV line") from None
    by_display = {}
    for field in lead_schema(session).values():
        by_display.setdefault(field.display_name.lower(), field)
    fields, tokens, unknown, seen = [], [], [], set()
    for index, name in enumerate(names):
        if name.lower() in seen:
            raise MarketoError(20110, f"importFileHeader names {name} twice")
        seen.add(name.lower())
        if name.startswith("{{"):
            tokens.append((index, campaigns.check_token_name(name)))
        elif name.lower() in by_display:
            fields.append((index, by_display[name.lower()]))
        else:
            unknown.append(name)
    if unknown:
        raise MarketoError(20105, f"importToList: unknown fields in importFileHeader: {', '.join(unknown)}")
    email = next((index for index, field in fields if field.name == "Email"), None)
    if email is None:
        raise MarketoError(20110, "importFileHeader needs the Email Address column")
    return _Columns(len(names), email, fields, tokens)


def _import_rows(
    session: Session,
    clock: Clock,
    record: ListImport,
    static_list: StaticList,
    columns: _Columns,
    rows: Sequence[str],
) -> None:
    failures = []
    for number, line in enumerate(rows, start=1):
        try:
            values = _csv_record(line or "")
        except csv.Error:
            values = None
        if values is None or len(values) != columns.width:
            failures.append(f"row {number}: expected {columns.width} comma-separated values")
            continue
        email = values[columns.email].strip()
        if not email:
            failures.append(f"row {number}: Email Address is empty")
            continue
        if record.mode == "UPSERTLEADS":
            # Empty cells leave the lead's values as they are, as in a list import in the UI.
            attributes = [(f.name, values[i]) for i, f in columns.fields if f.name != "Email" and values[i].strip()]
            try:
                with session.begin_nested():
                    lead_id = sync_lead(session, clock, LeadInput(email=email, attributes=attributes)).lead_id
            except MarketoError as error:
                failures.append(f"row {number}: {error.text}")
                continue
        else:
            matches = find_by_key(session, "EMAIL", email)
            if not matches:
                record.rows_ignored += 1
                continue
            lead_id = matches[0].id
        lists.add_to_list(session, clock, static_list, lead_id)
        tokens = {name: values[i] for i, name in columns.tokens if values[i].strip()}
        if tokens and record.campaign_id is not None:
            session.merge(
                ImportedLeadTokens(campaign_id=record.campaign_id, lead_id=lead_id, import_id=record.id, tokens=tokens)
            )
        record.rows_imported += 1
    record.rows_failed = len(failures)
    if record.rows and record.rows_failed == record.rows:
        record.outcome = FAILED
    counts = f"{record.rows_imported} imported, {record.rows_failed} failed, {record.rows_ignored} ignored"
    record.summary = "; ".join([counts, *failures])
    session.flush()
