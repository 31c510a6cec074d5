"""The `list_imports` and `list_import_chunks` tables, and the import processing delay (a setting):
importToList's imports, and their rows waiting to be applied a chunk at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from mockmkto.store import account_repository
from mockmkto.store.advisory_locks import hold
from mockmkto.store.campaign_models import ListImport, ListImportChunk
from mockmkto.store.db import written
from mockmkto.store.prepared import Prepared, PreparedGet, PreparedUpdate

PROCESSING_SETTING = "import_processing_seconds"
# The name of the lock a unit applying an import's chunk holds (`take_chunk`).
IMPORTS_LOCK = b"imports"
# Prepared: a large import's waiting chunks go in one executemany (store/prepared.py).
_CHUNK_INSERT = Prepared(insert(ListImportChunk.__table__), ("import_id", "number", "lines"))
# Each chunk's unit of work takes its chunk and reads its import: prepared, as statements a call runs.
_CHUNKS = ListImportChunk.__table__
_NEXT_CHUNK = select(_CHUNKS.c.import_id, _CHUNKS.c.number).order_by(_CHUNKS.c.import_id, _CHUNKS.c.number).limit(1)
_TAKE_CHUNK = Prepared(
    delete(_CHUNKS)
    .where(tuple_(_CHUNKS.c.import_id, _CHUNKS.c.number).in_(_NEXT_CHUNK))
    .returning(_CHUNKS.c.import_id, _CHUNKS.c.number, _CHUNKS.c.lines)
)
_IMPORTS = PreparedGet(ListImport)
_UPDATE = PreparedUpdate(ListImport)


def processing_seconds(session: Session) -> float | None:
    """How long an import reports PROCESSING (mock time), None when it was never set."""
    value = account_repository.setting(session, PROCESSING_SETTING)
    return float(value) if value is not None else None


def set_processing_seconds(session: Session, seconds: float) -> None:
    account_repository.set_setting(session, PROCESSING_SETTING, repr(float(seconds)))


def add(session: Session, **columns: Any) -> ListImport:
    """A new import of `columns`, its id the database's."""
    return written(session, ListImport(**columns))


def by_id(session: Session, import_id: int) -> ListImport:
    """An import that exists (NoResultFound otherwise)."""
    return _IMPORTS.get_one(session, import_id)


def update(session: Session, record: ListImport, columns: dict[str, Any]) -> None:
    """Write an import's progress (the given columns); the record holds them as stored."""
    _UPDATE.run(session, record, columns)


def latest(session: Session, list_id: int) -> ListImport | None:
    """The latest import into a static list, if it had one."""
    return session.scalar(
        select(ListImport).where(ListImport.list_id == list_id).order_by(ListImport.id.desc()).limit(1)
    )


def every_import(session: Session) -> list[ListImport]:
    """Every import, oldest first."""
    return list(session.scalars(select(ListImport).order_by(ListImport.id)))


def add_chunks(session: Session, import_id: int, chunks: list[tuple[int, list[str]]]) -> None:
    """Rows of an import left to apply, as chunks of (number of the first row, its lines)."""
    if chunks:
        _CHUNK_INSERT.run(session, [{"import_id": import_id, "number": n, "lines": lines} for n, lines in chunks])


def take_chunk(session: Session) -> tuple[int, int, list[str]] | None:
    """The next chunk waiting (of the oldest import that has some), out of the store: (import id,
    number of its first row, its lines); None when no row waits. Where units of other processes may
    apply chunks meanwhile (advisory_locks.SHARED_UNIT), the unit holds the lock of the instance's
    imports from here until it ends: chunks are applied one at a time, each after the one before it
    (an import's counts, and its list's members, are read and written back)."""
    hold(session, [IMPORTS_LOCK])
    taken = _TAKE_CHUNK.rows(session)
    if not taken:
        return None
    import_id, number, lines = taken[0]
    return import_id, number, lines
