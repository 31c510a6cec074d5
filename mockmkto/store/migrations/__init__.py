"""The schema's revisions, run with Alembic from code (no alembic.ini): `mockmkto db upgrade`.

A Store never runs a revision: it makes a new database from the models at once and refuses one at an
older revision (`mockmkto.store.schema`). `mockmkto db upgrade` brings a database to the head: its
own store and each named instance's (PostgreSQL schemas `instance_*`, SQLite files `<file>-*.db`).

Adding a revision, after changing the models (a column, a table, an index):

1. A database at the current head, made by running the revisions:
   `mockmkto db upgrade --db sqlite:///rev.db`.
2. Alembic writes the next revision (`versions/<id>_<slug>.py`, numbered after the head) from what
   differs between that database and the models:
   `python -c 'from mockmkto.store import migrations; migrations.new_revision("sqlite:///rev.db", "add x")'`
   (it prints nothing; the new file is in `versions/`).
3. Read and correct it: autogenerate takes a renamed column for a drop and an add; a new NOT NULL
   column of a table with rows needs a `server_default`; SQLite alters a table only inside
   `op.batch_alter_table` (written so).
4. `pytest tests/test_migrations.py` on both stores: the revisions must make exactly the models' schema.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from typing import NamedTuple

from alembic import command
from alembic.config import Config
from alembic.script import Script
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from mockmkto.store.db import make_engine, normalize_url
from mockmkto.store.schema import HEAD, current_revision

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
SQLITE_FILE = "sqlite:///"
SQLITE_HEADER = b"SQLite format 3\x00"


class Upgraded(NamedTuple):
    """One store `db upgrade` saw: its database, its PostgreSQL schema, its revision before (None: empty)."""

    url: str
    schema: str | None
    before: str | None


def alembic_config(conn: Connection) -> Config:
    """Alembic's configuration for running the revisions on `conn`, in its transaction (env.py)."""
    config = Config()
    config.set_main_option("script_location", SCRIPTS)
    config.attributes["connection"] = conn
    return config


def new_revision(url: str, message: str) -> str:
    """Write the next revision: what turns the database at `url` (at the head) into the models' schema.
    Returns the new file's path."""
    engine = make_engine(normalize_url(url))
    try:
        with engine.begin() as conn:
            script = command.revision(alembic_config(conn), message, autogenerate=True, rev_id=f"{int(HEAD) + 1:04d}")
    finally:
        engine.dispose()
    assert isinstance(script, Script)  # one head, so one revision (a list or None for other requests)
    return script.path


def upgrade_database(url: str, instances: tuple[str, str | None]) -> list[Upgraded]:
    """Bring every store of the database at `url` to the head, each in one transaction: its own (made
    by running every revision if empty), then each named instance's. `instances` is where an instance
    named `*` lives (`app.instance_location`): a pattern of SQLite files or of PostgreSQL schemas. A
    file or schema matching it that holds no mockmkto tables (or is no database) is left alone."""
    url = normalize_url(url)
    done = []
    for store_url, schema in [(url, None), *_named_stores(url, instances)]:
        engine = make_engine(store_url, schema)
        try:
            with engine.begin() as conn:
                before = current_revision(conn)
                if before is None and (store_url, schema) != (url, None):
                    continue
                if before != HEAD:
                    command.upgrade(alembic_config(conn), "head")
        finally:
            engine.dispose()
        done.append(Upgraded(store_url, schema, before))
    return done


def _named_stores(url: str, instances: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    files, schemas = instances
    if schemas is not None:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                names = inspect(conn).get_schema_names()
        finally:
            engine.dispose()
        return [(url, name) for name in sorted(names) if fnmatch.fnmatchcase(name, schemas)]
    if files != url and files.startswith(SQLITE_FILE):
        paths = sorted(glob.glob(files[len(SQLITE_FILE) :]))
        return [(SQLITE_FILE + path, None) for path in paths if _is_sqlite(path)]
    return []


def _is_sqlite(path: str) -> bool:
    """Whether the file is a SQLite database (its header), so a stray file named like an instance is left alone."""
    with open(path, "rb") as handle:
        return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
