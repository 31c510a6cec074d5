"""Which revision of the schema a store's database has: checked by every Store as it opens its database.

The revisions are Alembic's, in `migrations/versions/` (how to add one: `mockmkto.store.migrations`),
named `<id>_<slug>.py` with ids 0001, 0002, ... in one line, so the highest id is the head. This
module reads them by file name and reads or writes the version table with plain SQL: the check runs at
every start, which must not pay for importing Alembic (a third of a second, against a cold start of
one second: bench/results.md).
"""

from __future__ import annotations

import os
import re

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, delete, insert, inspect, select
from sqlalchemy.engine import Connection

from mockmkto.store.models import Base

VERSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations", "versions")
REVISION_FILE = re.compile(r"(\d{4})_\w+\.py")
REVISIONS = sorted(m[1] for m in map(REVISION_FILE.fullmatch, os.listdir(VERSIONS)) if m)
FIRST, HEAD = REVISIONS[0], REVISIONS[-1]

# Alembic's version table as Alembic makes it, under a name of mockmkto's own: a database shared with
# another application's Alembic keeps both apart.
VERSION_TABLE = Table(
    "mockmkto_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="mockmkto_version_pkc"),
)


class SchemaOutOfDate(Exception):
    """The database's schema is older than this mockmkto's: `mockmkto db upgrade` brings it to the head."""

    def __init__(self, revision: str):
        super().__init__(f"the schema is at revision {revision}, this mockmkto's is {HEAD}")
        self.revision = revision


class UnknownRevision(Exception):
    """The database's schema has a revision this mockmkto does not know: a newer mockmkto upgraded it."""

    def __init__(self, revision: str):
        super().__init__(f"the schema is at revision {revision}, unknown to this mockmkto (its newest is {HEAD})")
        self.revision = revision


def current_revision(conn: Connection) -> str | None:
    """The revision of the database `conn` is in (its PostgreSQL schema: the search path's); None when it
    holds none of mockmkto's tables. One made before migrations existed (tables, no version) is
    stamped as the first revision in `conn`'s transaction."""
    tables = set(inspect(conn).get_table_names())
    revision = conn.scalar(select(VERSION_TABLE.c.version_num)) if VERSION_TABLE.name in tables else None
    if revision is not None:
        if revision not in REVISIONS:
            raise UnknownRevision(revision)
        return revision
    if tables.isdisjoint(Base.metadata.tables):
        return None
    stamp(conn, FIRST)
    return FIRST


def stamp(conn: Connection, revision: str) -> None:
    """Record that the database is at `revision`, without running anything."""
    VERSION_TABLE.create(conn, checkfirst=True)
    conn.execute(delete(VERSION_TABLE))
    conn.execute(insert(VERSION_TABLE).values(version_num=revision))


def open_schema(conn: Connection) -> None:
    """What a Store does first, in its creation lock: a database without mockmkto's tables gets the
    models' schema at once, stamped as the head (what running every revision makes: the test
    `test_the_revisions_make_the_models_schema` keeps them equal); any other must be at the head."""
    revision = current_revision(conn)
    if revision is None:
        Base.metadata.create_all(conn)
        stamp(conn, HEAD)
    elif revision != HEAD:
        raise SchemaOutOfDate(revision)
