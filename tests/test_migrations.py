"""The schema's revisions and `mockmkto db upgrade`, on each store. The rules hold for any number of
revisions: an out-of-date database is made with a newer mockmkto, a copy of this one with one revision
more (written by `new_revision`, as a developer would)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect, text

from mockmkto.app import instance_location
from mockmkto.cli import main
from mockmkto.store.db import Store, make_engine, normalize_url, quote_identifier
from mockmkto.store.migrations import alembic_config
from mockmkto.store.models import Base
from mockmkto.store.schema import FIRST, HEAD, VERSION_TABLE, current_revision
from tests.soap import ROOT

pytestmark = pytest.mark.slow

NEXT = f"{int(HEAD) + 1:04d}"


def new_database(request, store_kind: str, path: Path) -> str:
    """A new, empty database (on SQLite the file at `path`: named instances are files beside it)."""
    if store_kind == "sqlite":
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_databases").new("migrations")


@pytest.fixture
def database(request, store_kind, tmp_path) -> str:
    return new_database(request, store_kind, tmp_path / "mockmkto.db")


@pytest.fixture(scope="module")
def newer_mockmkto(tmp_path_factory) -> Path:
    """A folder holding a mockmkto whose schema has one revision more than this one's (an empty one)."""
    folder = tmp_path_factory.mktemp("newer")
    shutil.copytree(ROOT / "mockmkto", folder / "mockmkto", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "seed_data", folder / "seed_data")
    at_head = f"sqlite:///{folder / 'at_head.db'}"
    python(["db", "upgrade", "--db", at_head], folder)
    script = f"from mockmkto.store import migrations; migrations.new_revision({at_head!r}, 'a revision more')"
    subprocess.run([sys.executable, "-c", script], env=running(folder), cwd=folder, check=True, capture_output=True)
    return folder


def running(folder: Path) -> dict[str, str]:
    """The environment in which `python` imports the mockmkto in `folder`."""
    return {**os.environ, "PYTHONPATH": str(folder)}


def python(args: list[str], folder: Path = ROOT) -> subprocess.CompletedProcess:
    """`python -m mockmkto <args>` to its end, the mockmkto in `folder` (by default this checkout)."""
    return subprocess.run(
        [sys.executable, "-m", "mockmkto", *args],
        env=running(folder),
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def serve_banner(database: str, folder: Path = ROOT) -> str:
    """The first line `mockmkto serve` prints on the database ('' if it stops without one)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mockmkto", "serve", "--port", "0", "--db", database],
        env=running(folder),
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        return process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=30)


def connected(url: str, schema: str | None = None):
    return make_engine(normalize_url(url), schema).begin()


def made_at(url: str, revision: str, schema: str | None = None) -> None:
    """An empty database (or PostgreSQL schema) brought to `revision` by running the revisions."""
    with connected(url, schema) as conn:
        if schema:
            conn.execute(text(f"CREATE SCHEMA {quote_identifier(schema)}"))
        command.upgrade(alembic_config(conn), revision)


def revision_of(url: str, schema: str | None = None) -> str | None:
    with connected(url, schema) as conn:
        return current_revision(conn)


def differences(url: str, schema: str | None = None) -> list:
    """What differs between the database's schema and the models' (Alembic's autogenerate)."""
    with connected(url, schema) as conn:
        options = {"version_table": VERSION_TABLE.name, "compare_type": True, "compare_server_default": True}
        return compare_metadata(MigrationContext.configure(conn, opts=options), Base.metadata)


def indexes(url: str) -> dict[str, list[tuple]]:
    """Each table's indexes as the database describes them: name, columns, uniqueness, and the
    condition of a partial index (which Alembic's autogenerate does not compare)."""
    with connected(url) as conn:
        described = inspect(conn)
        return {
            table: sorted(
                (
                    index["name"],
                    tuple(index["column_names"]),
                    bool(index["unique"]),
                    sorted((name, str(value)) for name, value in index.get("dialect_options", {}).items()),
                )
                for index in described.get_indexes(table)
            )
            for table in described.get_table_names()
            if table in Base.metadata.tables
        }


def upgrade(database: str, capsys) -> list[str]:
    assert main(["db", "upgrade", "--db", database]) == 0
    return capsys.readouterr().out.splitlines()


def test_the_revisions_make_the_models_schema(database, capsys):
    upgrade(database, capsys)
    assert differences(database) == []


def test_the_revisions_make_the_models_indexes_partial_ones_included(database, capsys, request, store_kind, tmp_path):
    upgrade(database, capsys)
    made_by_models = new_database(request, store_kind, tmp_path / "models.db")
    Store(made_by_models).close()
    assert indexes(database) == indexes(made_by_models)


def test_db_upgrade_brings_a_first_revision_database_to_the_head(database, capsys):
    made_at(database, FIRST)
    upgrade(database, capsys)
    assert revision_of(database) == HEAD
    assert differences(database) == []


def test_db_upgrade_twice_changes_nothing_the_second_time(database, capsys):
    upgrade(database, capsys)
    assert upgrade(database, capsys) == [f"{database}: at revision {HEAD} already"]
    assert differences(database) == []


def test_every_revision_can_be_undone(database, capsys):
    upgrade(database, capsys)
    with connected(database) as conn:
        command.downgrade(alembic_config(conn), "base")
        assert set(inspect(conn).get_table_names()).isdisjoint(Base.metadata.tables)


def test_a_database_made_before_revisions_counts_as_the_first_revision(database, capsys):
    made_at(database, FIRST)
    with connected(database) as conn:
        VERSION_TABLE.drop(conn)
    upgrade(database, capsys)  # running the first revision again would fail: its tables are there
    assert revision_of(database) == HEAD
    assert differences(database) == []


def test_db_upgrade_upgrades_every_named_instance(database, capsys):
    made_at(database, FIRST)
    url, schema = instance_location(database, "acme")
    made_at(url, FIRST, schema)
    upgrade(database, capsys)
    assert revision_of(url, schema) == HEAD
    assert differences(url, schema) == []


def test_db_upgrade_leaves_alone_a_database_named_like_an_instance_that_is_not_mockmktos(database, capsys):
    url, schema = instance_location(database, "other")
    with connected(url, schema) as conn:
        if schema:
            conn.execute(text(f"CREATE SCHEMA {quote_identifier(schema)}"))
        Table("elsewhere", MetaData(), Column("id", Integer, primary_key=True)).create(conn)
    upgrade(database, capsys)
    with connected(url, schema) as conn:
        assert inspect(conn).get_table_names() == ["elsewhere"]


def test_db_upgrade_leaves_alone_a_file_named_like_an_instance_that_is_no_database(tmp_path, capsys):
    database = f"sqlite:///{tmp_path / 'mockmkto.db'}"
    stray = tmp_path / "mockmkto-notes.db"
    stray.write_text("not a database")
    assert upgrade(database, capsys) == [f"{database}: empty -> revision {HEAD}"]
    assert stray.read_text() == "not a database"


def test_a_fresh_database_serves_with_no_step(database):
    assert serve_banner(database).startswith("mockmkto http://127.0.0.1:")


def test_a_store_makes_an_empty_database_at_the_head(database):
    Store(database).close()
    assert revision_of(database) == HEAD
    assert differences(database) == []


def test_serve_refuses_an_out_of_date_schema_naming_the_upgrade_command(database, newer_mockmkto):
    Store(database).close()
    done = python(["serve", "--port", "0", "--db", database], newer_mockmkto)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"mockmkto: the database {database} has an older schema")
    assert done.stderr.rstrip().endswith(f"run mockmkto db upgrade --db {database}")


def test_serve_starts_on_an_out_of_date_schema_once_upgraded(database, newer_mockmkto):
    Store(database).close()
    upgraded = python(["db", "upgrade", "--db", database], newer_mockmkto)
    assert upgraded.stdout.splitlines() == [f"{database}: revision {HEAD} -> revision {NEXT}"]
    assert serve_banner(database, newer_mockmkto).startswith("mockmkto http://127.0.0.1:")


def test_serve_refuses_a_schema_a_newer_mockmkto_upgraded(database, newer_mockmkto):
    python(["db", "upgrade", "--db", database], newer_mockmkto)
    done = python(["serve", "--port", "0", "--db", database])
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert f"revision {NEXT}, unknown to this mockmkto" in done.stderr


def test_serving_a_database_at_the_head_never_loads_alembic(database):
    Store(database).close()
    script = (
        "import sys; from mockmkto.app import build_app; from mockmkto.config import Config; "
        f"build_app(Config(db={database!r})); print('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
