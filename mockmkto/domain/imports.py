"""importToList and getImportToListStatus: CSV rows into a static list of a program.

Marketo imports asynchronously. The call checks its parameters and header, applies its first
chunk of rows and answers; the rows after it wait in the store (`ListImportChunk`) and are applied
a chunk per unit of work, by the instance's background worker in whichever process finds them
first (`process_chunk`), so other calls take turns with a large import. The import reports
PROCESSING, with its counts so far, until every row is applied and its processing delay has
passed on the mock's clock; then its outcome: COMPLETE, or FAILED when every row failed.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from mockmkto.domain import bulk, campaign_runs, lists, programs
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import FieldDef, lead_schema
from mockmkto.domain.lead_keys import email_key
from mockmkto.domain.leads import LeadInput
from mockmkto.store import (
    campaign_run_repository,
    import_repository,
    lead_repository,
    program_repository,
    static_list_repository,
)
from mockmkto.store.campaign_models import ListImport
from mockmkto.store.db import Store
from mockmkto.store.models import Program, StaticList

IMPORT_MODES = ("UPSERTLEADS", "LISTONLY")
PROCESSING, COMPLETE, FAILED = "PROCESSING", "COMPLETE", "FAILED"
# Rows a unit of work applies: other calls wait for one chunk at most (bench/import_rows.py).
CHUNK_ROWS = 500
# On SQLite, while calls come (one arrived since the previous unit began), the worker's unit
# applies fewer rows, since a call waits for a unit at most: a 100-row unit costs 3-4 ms besides its
# rows, where a call waited 30 ms or more for a 500-row one. A status poll every 50 ms makes about a
# third of an import's units small. PostgreSQL's units keep CHUNK_ROWS: there the reads and syncLead
# run beside a unit (`process_chunk`), in a process of its own (domain/worker.py).
ROWS_WHILE_CALLED = 100
DEFAULT_PROCESSING_SECONDS = 5.0
# What only the csv module's reader reads as it should (`csv_record`).
_READER_NEEDED = re.compile('["\r\n\0]')


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

    @property
    def rows_waiting(self) -> int:
        return self.estimated_rows - self.rows_imported - self.rows_failed - self.rows_ignored


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
    seconds = import_repository.processing_seconds(session)
    return timedelta(seconds=seconds if seconds is not None else DEFAULT_PROCESSING_SECONDS)


def set_processing_delay(session: Session, seconds: float) -> None:
    if seconds < 0:
        raise ValueError("an import's processing delay cannot be negative")
    import_repository.set_processing_seconds(session, seconds)


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
) -> ImportStatus:
    """importToList: add the rows' leads to the program's static list; return the import's status.

    UPSERTLEADS creates or updates each row's lead (matched by Email) before adding it; LISTONLY
    adds only leads that exist (other rows are ignored). Token columns need `campaign_name`: the
    campaign's next run uses each lead's values, then discards them. Rows past the first chunk
    are applied later (`process_chunk`).
    """
    program_name = programs.required(program_name, "programName")
    list_name = programs.required(list_name, "listName")
    header = programs.required(header, "importFileHeader")
    if rows is None:
        raise MarketoError(20109, "importFileRows is required")
    mode = programs.required(mode, "importListMode")
    if mode.strip() not in IMPORT_MODES:
        raise MarketoError(20110, f"Bad importListMode {mode}: UPSERTLEADS or LISTONLY")
    now = programs.utc(clock.now())
    # Runs that fell due before this import happen before it.
    campaign_runs.run_due(session, clock)
    program, static_list = _program_list(session, program_name, list_name)
    columns = _columns(session, header)
    campaign = None
    if campaign_name is not None and programs.given(campaign_name) is not None:
        campaign = programs.find_campaign(session, program, campaign_name)
        if campaign is None:
            raise MarketoError(20113, f"Campaign {campaign_name} not found in program {program.name}")
    elif columns.tokens:
        raise MarketoError(20109, "campaignName is required when importFileHeader has {{my.token}} columns")
    latest = import_repository.latest(session, static_list.id)
    if latest is not None and _processing(latest, now):
        raise MarketoError(20110, f"Import in progress for list {static_list.name}")
    if clear_list:
        lists.clear_list(session, clock, static_list)
    record = import_repository.add(
        session,
        program_id=program.id,
        list_id=static_list.id,
        campaign_id=campaign.id if campaign else None,
        mode=mode.strip(),
        clear_list=bool(clear_list),
        started_at=now,
        ends_at=now + processing_delay(session),
        outcome=PROCESSING,
        rows=len(rows),
        rows_imported=0,
        rows_failed=0,
        rows_ignored=0,
        summary="",
        header=header,
        failures=[],
    )
    waiting = [
        (first + 1, list(rows[first : first + CHUNK_ROWS])) for first in range(CHUNK_ROWS, len(rows), CHUNK_ROWS)
    ]
    import_repository.add_chunks(session, record.id, waiting)
    # The first chunk at once: an import of up to CHUNK_ROWS rows is applied when the call answers.
    _apply_rows(session, clock, record, static_list, columns, list(enumerate(rows[:CHUNK_ROWS], start=1)))
    return _status(record, now)


def rows_per_unit(calls_came: bool) -> int:
    """How many waiting rows SQLite's background worker applies in a unit of work (ROWS_WHILE_CALLED)."""
    return ROWS_WHILE_CALLED if calls_came else CHUNK_ROWS


def process_chunk(store: Store, clock: Clock, most_rows: int = CHUNK_ROWS) -> bool:
    """Apply the next chunk of waiting rows (of the oldest import that has some), or its first
    `most_rows` (the rest waits as a chunk of its own), in a unit of work of its own; False when no
    row waits. A chunk leaves the store as it is applied, so it is applied once, whichever process's
    worker takes it. The unit shares the instance, as syncLead's do (the store's locks keep it
    apart from other units that write what it writes): on PostgreSQL, calls that share it too do
    not wait for it."""
    with store.session(shared=True) as session:
        chunk = import_repository.take_chunk(session)
        if chunk is None:
            return False
        import_id, number, lines = chunk
        if len(lines) > most_rows:
            import_repository.add_chunks(session, import_id, [(number + most_rows, lines[most_rows:])])
            lines = lines[:most_rows]
        # Runs that fell due before this chunk happen before it, as before any call.
        campaign_runs.run_due(session, clock)
        record = import_repository.by_id(session, import_id)
        static_list = static_list_repository.existing(session, record.list_id)
        columns: _Columns | MarketoError
        try:
            columns = _columns(session, record.header)
        except MarketoError as error:
            # The lead schema changed under the import (a seed): its remaining rows fail.
            columns = error
        _apply_rows(session, clock, record, static_list, columns, list(enumerate(lines, start=number)))
        return True


def process_pending(store: Store, clock: Clock) -> None:
    """Apply every row waiting in the store, a chunk per unit of work: for whatever must wait for them."""
    while process_chunk(store, clock):
        pass


def import_status(session: Session, clock: Clock, program_name: str | None, list_name: str | None) -> ImportStatus:
    """getImportToListStatus: the latest import into the program's list; 20111 if it never had one."""
    program_name = programs.required(program_name, "programName")
    list_name = programs.required(list_name, "listName")
    _, static_list = _program_list(session, program_name, list_name)
    latest = import_repository.latest(session, static_list.id)
    if latest is None:
        raise MarketoError(20111, f"No import into list {static_list.name}")
    return _status(latest, programs.utc(clock.now()))


def list_imports(session: Session, clock: Clock) -> list[ImportView]:
    """Every import, oldest first, with its status as of the mock's clock."""
    now = programs.utc(clock.now())
    views = []
    for record in import_repository.every_import(session):
        campaign = program_repository.campaign_by_id(session, record.campaign_id)
        views.append(
            ImportView(
                id=record.id,
                program=program_repository.existing_program(session, record.program_id).name,
                list=static_list_repository.existing(session, record.list_id).name,
                campaign=campaign.name if campaign else None,
                mode=record.mode,
                clear_list=record.clear_list,
                status=_status(record, now),
            )
        )
    return views


def _program_list(session: Session, program_name: str, list_name: str) -> tuple[Program, StaticList]:
    program = programs.find_program(session, program_name)
    if program is None:
        raise MarketoError(20110, f"Program {program_name} not found")
    named = static_list_repository.named(session, list_name.strip())
    static_list = next((found for found in named if found.program_id == program.id), None)
    if static_list is None:
        raise MarketoError(20111, f"List {list_name} not found in program {program.name}")
    return program, static_list


def _processing(record: ListImport, now: datetime) -> bool:
    """Rows of the import wait, or `now` is within its processing delay, [start, end): an import the
    mock's clock was moved back before is not in progress then."""
    return record.outcome == PROCESSING or record.started_at <= now < record.ends_at


def _status(record: ListImport, now: datetime) -> ImportStatus:
    counts = (record.rows, record.rows_imported, record.rows_failed, record.rows_ignored)
    if _processing(record, now):
        # The seconds left of the delay; unknown once only rows keep it processing.
        remaining = math.ceil((record.ends_at - now).total_seconds()) if now < record.ends_at else None
        return ImportStatus(PROCESSING, record.started_at, None, remaining, *counts, None)
    return ImportStatus(record.outcome, record.started_at, record.ends_at, None, *counts, record.summary)


def csv_record(line: str) -> list[str]:
    """One CSV record (RFC 4180: quoted fields may hold commas, quotes and line breaks), as the csv
    module reads it; csv.Error unless the line is exactly one record."""
    if line and _READER_NEEDED.search(line) is None:
        # No quote, line break or NUL: the fields are what lies between the commas, as the csv module
        # reads them, without a reader made for the line (which cost as much as the rest of a row).
        return line.split(",")
    records = list(csv.reader(io.StringIO(line, newline=""), strict=True))
    if len(records) != 1:
        raise csv.Error("not exactly one CSV record")
    return records[0]


def _columns(session: Session, header: str) -> _Columns:
    """Read the header: lead field display names ("Email Address") and {{my.token}} columns."""
    try:
        names = [name.strip() for name in csv_record(header)]
    except csv.Error:
        raise MarketoError(20110, "importFileHeader is not one CSV line") from None
    by_display: dict[str, FieldDef] = {}
    for field in lead_schema(session).values():
        by_display.setdefault(field.display_name.lower(), field)
    fields, tokens, unknown, seen = [], [], [], set()
    for index, name in enumerate(names):
        if name.lower() in seen:
            raise MarketoError(20110, f"importFileHeader names {name} twice")
        seen.add(name.lower())
        if name.startswith("{{"):
            tokens.append((index, programs.check_token_name(name)))
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


def _read_rows(
    columns: _Columns, rows: Sequence[tuple[int, str]]
) -> tuple[list[tuple[int, str, list[str]]], list[tuple[int, str]]]:
    """(number, Email, values) of each readable row, and (number, reason) of each other row."""
    readable: list[tuple[int, str, list[str]]] = []
    failures: list[tuple[int, str]] = []
    for number, line in rows:
        try:
            values = csv_record(line or "")
        except csv.Error:
            values = None
        if values is None or len(values) != columns.width:
            failures.append((number, f"expected {columns.width} comma-separated values"))
        elif not values[columns.email].strip():
            failures.append((number, "Email Address is empty"))
        else:
            readable.append((number, values[columns.email].strip(), values))
    return readable, failures


def _apply_rows(
    session: Session,
    clock: Clock,
    record: ListImport,
    static_list: StaticList,
    columns: _Columns | MarketoError,
    rows: Sequence[tuple[int, str]],
) -> None:
    """Apply numbered rows of an import, a few statements for them all (a bad row fails alone);
    once none is left, the import's outcome and summary."""
    readable: list[tuple[int, str, list[str]]]
    field_columns: list[tuple[int, FieldDef]]
    token_columns: list[tuple[int, str]]
    if isinstance(columns, MarketoError):
        readable, failures = [], [(number, columns.text) for number, _ in rows]
        field_columns, token_columns = [], []
    else:
        readable, failures = _read_rows(columns, rows)
        field_columns, token_columns = columns.fields, columns.tokens
    outcomes: Sequence[int | MarketoError | None]
    if record.mode == "UPSERTLEADS":
        # Empty cells leave the lead's values as they are, as in a list import in the UI.
        outcomes = bulk.sync_by_email(
            session,
            clock,
            [
                LeadInput(
                    email=email,
                    attributes=[(f.name, v[i]) for i, f in field_columns if f.name != "Email" and v[i].strip()],
                )
                for _, email, v in readable
            ],
        )
    else:
        found = lead_repository.newest_by_email(session, [email_key(email) for _, email, _ in readable], "id")
        outcomes = [found[key]["id"] if (key := email_key(email)) in found else None for _, email, _ in readable]
    imported, ignored = [], 0
    for (number, _, values), outcome in zip(readable, outcomes, strict=True):
        if isinstance(outcome, MarketoError):
            failures.append((number, outcome.text))
        elif outcome is None:
            ignored += 1
        else:
            imported.append((outcome, values))
    lists.add_all_to_list(session, clock, static_list, [lead_id for lead_id, _ in imported])
    if record.campaign_id is not None:
        tokens = {}
        for lead_id, values in imported:
            if kept := {name: values[i] for i, name in token_columns if values[i].strip()}:
                tokens[lead_id] = kept
        campaign_run_repository.keep_imported_tokens(session, record.campaign_id, record.id, tokens)
    rows_imported = record.rows_imported + len(imported)
    rows_failed = record.rows_failed + len(failures)
    rows_ignored = record.rows_ignored + ignored
    reasons = [*record.failures, *(f"row {number}: {reason}" for number, reason in sorted(failures))]
    progress: dict[str, Any] = {
        "rows_imported": rows_imported,
        "rows_failed": rows_failed,
        "rows_ignored": rows_ignored,
        "failures": reasons,
    }
    if rows_imported + rows_failed + rows_ignored == record.rows:
        counts = f"{rows_imported} imported, {rows_failed} failed, {rows_ignored} ignored"
        progress["outcome"] = FAILED if record.rows and rows_failed == record.rows else COMPLETE
        progress["ends_at"] = max(record.ends_at, programs.utc(clock.now()))
        progress["summary"] = "; ".join([counts, *reasons])
    import_repository.update(session, record, progress)
