"""The stores the suite runs on: SQLite (always) and PostgreSQL (where MOCKMKTO_TEST_POSTGRES_URL names a
server: `.ci/postgres.sh` starts a throwaway one). Each test session gets databases of its own."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.servers import free_port

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


class PrivateCluster:
    """A PostgreSQL cluster of one test's own, on a free port, so the test may restart it: Debian's
    binaries, run as the postgres user when the tests run as root (PostgreSQL refuses root)."""

    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not found:
            if os.environ.get("CI"):
                pytest.fail("CI must run the PostgreSQL tests: Debian's postgresql is not installed")
            pytest.skip("needs Debian's postgresql (its initdb and pg_ctl)")
        self.bin = os.path.dirname(found[-1])
        self.dir = tempfile.mkdtemp(prefix="mockmkto-pg-")
        self.owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.owner:
            shutil.chown(self.dir, "postgres")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self._run("initdb", "-D", self.data, "-U", "mockmkto", "--auth=trust", "-E", "UTF8", "--no-locale")
        self.start()
        self.url = f"postgresql+psycopg://mockmkto@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.owner, os.path.join(self.bin, tool), *args], check=True, capture_output=True)

    def _ctl(self, action: str, *options: str) -> None:
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w", *options, action)

    def start(self) -> None:
        self._ctl("start", "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1")

    def stop(self) -> None:
        """A fast shutdown: in-flight sessions are ended, commits are kept."""
        self._ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        subprocess.run([*self.owner, os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop"],
                       capture_output=True)  # fmt: skip
        shutil.rmtree(self.dir, ignore_errors=True)
