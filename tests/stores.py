"""The stores the suite runs on: SQLite (always) and PostgreSQL (where MOCKMKTO_TEST_POSTGRES_URL names a
server: `.ci/postgres.sh` starts a throwaway one). Each test session gets databases of its own."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("MOCKMKTO_TEST_POSTGRES_URL")
STORES = ["sqlite", "postgresql"]
NO_POSTGRES = (
    "PostgreSQL tests need MOCKMKTO_TEST_POSTGRES_URL (a server the tests may create databases on); "
    "`bash -c 'source .ci/postgres.sh && pytest'` starts a throwaway one"
)


def require_postgres() -> str:
    """The server's URL; skips the test where there is none, and fails it under CI, which never skips."""
    if POSTGRES_URL:
        return POSTGRES_URL
    if os.environ.get("CI"):
        pytest.fail("CI must run the PostgreSQL tests: " + NO_POSTGRES)
    pytest.skip(NO_POSTGRES)


class PostgresDatabases:
    """Databases made for this test session on the PostgreSQL server, dropped at its end."""

    def __init__(self, server_url: str):
        self.server_url = server_url
        self._admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        self._made: list[str] = []

    def new(self, purpose: str) -> str:
        name = f"mockmkto_{purpose}_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self._made.append(name)
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self._admin.connect() as conn:
            for name in self._made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


def store_url(kind: str, databases: PostgresDatabases | None, purpose: str) -> str:
    if kind == "sqlite":
        return "sqlite://"
    assert databases is not None
    return databases.new(purpose)
