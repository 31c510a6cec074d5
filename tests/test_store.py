"""The store: one transaction per session, one connection shared by SQLite's sessions, closed on request."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from sqlalchemy import select

from mockmkto.store.advisory_locks import lock_number
from mockmkto.store.db import Store
from mockmkto.store.models import User


def add_user(store: Store, user_id: str) -> None:
    with store.session() as session:
        session.add(User(user_id=user_id, secret="s"))


def user_ids(store: Store) -> list[str]:
    with store.session() as session:
        return list(session.scalars(select(User.user_id).order_by(User.user_id)))


def test_a_failed_session_leaves_nothing_and_the_next_one_starts_clean(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/store.db")
    with pytest.raises(RuntimeError), store.session() as session:
        session.add(User(user_id="lost", secret="s"))
        session.flush()
        raise RuntimeError("the call failed")
    add_user(store, "kept")
    assert user_ids(store) == ["kept"]
    store.close()


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


def test_a_session_opened_inside_another_is_part_of_its_transaction(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/store.db")
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
    store.close()


def test_a_failed_commit_is_rolled_back_and_the_next_session_begins_afresh(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/store.db")
    add_user(store, "taken")
    with pytest.raises(Exception, match="UNIQUE"), store.session() as session:
        session.add(User(user_id="new", secret="s"))
        session.add(User(user_id="taken", secret="s"))
    add_user(store, "after")
    assert user_ids(store) == ["after", "taken"]
    store.close()


def test_sessions_one_after_another_start_empty(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/store.db")
    add_user(store, "first")
    with store.session() as session:
        assert len(session.identity_map) == 0 and not session.new
        assert session.get(User, "first") is not None
    store.close()


def test_advisory_lock_numbers_are_those_earlier_versions_took():
    """Processes of different versions on one PostgreSQL database lock an instance, and a lead's key,
    alike: the instance named by its schema (none here), a key by the instance's digest and itself."""
    assert lock_number(b"mockmkto:") == -6808968058479699651
    assert lock_number(hashlib.sha1(b"mockmkto:").digest() + b"EMAIL:ada@example.com") == 182374461915063400
