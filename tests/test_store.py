"""The store: one transaction per session (on each store), one connection shared by SQLite's sessions,
sessions reused from one unit of work to the next, closed on request."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import select, text

from mockmkto.store.advisory_locks import lock_number
from mockmkto.store.db import Store, StoreConflict, StoreUnavailable
from mockmkto.store.models import User
from tests.stores import store_url


def add_user(store: Store, user_id: str) -> None:
    with store.session() as session:
        session.add(User(user_id=user_id, secret="s"))


def user_ids(store: Store) -> list[str]:
    with store.session() as session:
        return list(session.scalars(select(User.user_id).order_by(User.user_id)))


@pytest.fixture
def store(request, store_kind, tmp_path):
    """An empty store of each kind: a SQLite file, a PostgreSQL database."""
    if store_kind == "sqlite":
        url = f"sqlite:///{tmp_path}/store.db"
    else:
        url = store_url(store_kind, request.getfixturevalue("postgres_databases"), "store")
    store = Store(url)
    yield store
    store.close()


def test_a_failed_session_leaves_nothing_and_the_next_one_starts_clean(store):
    with pytest.raises(RuntimeError), store.session() as session:
        session.add(User(user_id="lost", secret="s"))
        session.flush()
        raise RuntimeError("the call failed")
    add_user(store, "kept")
    assert user_ids(store) == ["kept"]


def test_a_closed_store_keeps_its_data_for_the_next_one_on_its_file(tmp_path):
    url = f"sqlite:///{tmp_path}/store.db"
    store = Store(url)
    add_user(store, "kept")
    store.close()
    assert store.engine.pool.checkedout() == 0
    assert user_ids(Store(url)) == ["kept"]


def test_a_killed_process_keeps_every_committed_session(tmp_path):
    url = f"sqlite:///{tmp_path}/store.db"
    script = (
        "import os, sys\n"
        "from mockmkto.store.db import Store\n"
        "from mockmkto.store.models import User\n"
        "store = Store(sys.argv[1])\n"
        "for n in range(3):\n"
        "    with store.session() as session:\n"
        "        session.add(User(user_id=f'u{n}', secret='s'))\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, url], check=True)
    assert user_ids(Store(url)) == ["u0", "u1", "u2"]


def test_a_session_opened_inside_another_is_part_of_its_transaction(store):
    with pytest.raises(RuntimeError), store.session() as outer:
        with store.session() as inner:
            inner.add(User(user_id="inner", secret="s"))
        assert outer.get(User, "inner") is not None
        raise RuntimeError("the outer block failed")
    assert user_ids(store) == []
    with store.session() as outer:
        with store.session() as inner:
            inner.add(User(user_id="inner", secret="s"))
        outer.add(User(user_id="outer", secret="s"))
    assert user_ids(store) == ["inner", "outer"]


def test_a_failed_commit_is_rolled_back_and_the_next_session_begins_afresh(store):
    add_user(store, "taken")
    with pytest.raises(StoreConflict), store.session() as session:
        session.add(User(user_id="new", secret="s"))
        session.add(User(user_id="taken", secret="s"))
    add_user(store, "after")
    assert user_ids(store) == ["after", "taken"]


def test_sessions_one_after_another_start_empty(store):
    with store.session() as session:
        first = User(user_id="first", secret="s")  # still referenced: the session would hold it on
        session.add(first)
    with store.session() as session:
        assert len(session.identity_map) == 0 and not session.new and first not in session
        assert session.get(User, "first") is not first


def test_a_session_after_one_that_shared_the_instance_changes_the_state_without_owning_it_first(store):
    with store.session(shared=True):
        pass  # a call's read that failed before its journal entry: it never owned the state
    with store.session() as session:
        store.write_state(session, journal_bytes=5)
    with store.session():
        assert store.state.journal_bytes == 5


def test_advisory_lock_numbers_are_those_earlier_versions_took():
    """Processes of different versions on one PostgreSQL database lock an instance, and a lead's key,
    alike: the instance named by its schema (none here), a key by the instance's digest and itself."""
    assert lock_number(b"mockmkto:") == -6808968058479699651
    assert lock_number(hashlib.sha1(b"mockmkto:").digest() + b"EMAIL:ada@example.com") == 182374461915063400


def test_a_unit_of_work_sqlite_stays_locked_for_past_its_timeout_is_unavailable_and_the_next_goes_on(tmp_path):
    """Another program (a database browser, say) holds SQLite's write lock past the URL's timeout."""
    path = tmp_path / "locked.db"
    store = Store(f"sqlite:///{path}?timeout=0.05")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        with store.session():
            pass
        other.execute("BEGIN IMMEDIATE")
        # The first begins on the driver, after a unit that committed; the second by SQLAlchemy's
        # begin, after a unit that failed.
        for _ in range(2):
            with pytest.raises(StoreUnavailable, match="locked"):
                with store.session():
                    pass
        other.execute("COMMIT")
        with store.session() as session:
            assert session.scalar(select(User.user_id).limit(1)) is None
    finally:
        other.close()
        store.close()


def test_a_postgresql_urls_own_options_set_every_connection_of_a_named_instance(request):
    """`?options=` of the database URL (libpq's: settings a connection starts with) apply beside the
    instance's schema and the store's own planner settings, and win over those."""
    url = store_url("postgresql", request.getfixturevalue("postgres_databases"), "options")
    store = Store(f"{url}?options=-c%20statement_timeout%3D4321%20-c%20random_page_cost%3D2", schema="team_a")
    settings = ("statement_timeout", "random_page_cost", "search_path")
    try:
        with store.session() as session:
            shown = {name: session.execute(text(f"SHOW {name}")).scalar_one() for name in settings}
    finally:
        store.close()
    assert shown == {"statement_timeout": "4321ms", "random_page_cost": "2", "search_path": '"team_a"'}
