"""The request journal keeps the last calls within a count and a byte budget, oldest dropped first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mockmkto.domain.journal import Journal
from mockmkto.soap.server import SoapResponse
from mockmkto.store.journal_repository import TRIM_ENTRIES
from mockmkto.store.state_models import JournalRow

AT = datetime(2026, 11, 25, tzinfo=UTC)


@pytest.fixture
def journal_of(instance):
    """A journal over the instance's (emptied) store, with the given cap and byte budget."""

    def make(cap: int = 1000, max_bytes: int = 64 * 1024 * 1024) -> Journal:
        return Journal(instance.store, cap, max_bytes)

    return make


def call(journal: Journal, request: bytes, response: bytes) -> None:
    journal.record(AT, request, SoapResponse(200, response, operation="getMultipleLeads"), 1.0)


def test_the_journal_keeps_the_last_calls_up_to_its_cap(journal_of):
    journal = journal_of(cap=3)
    for n in range(5):
        call(journal, f"<r{n}/>".encode(), b"<ok/>")
    assert [e.request for e in journal.entries()] == ["<r2/>", "<r3/>", "<r4/>"]
    assert [e.id for e in journal.entries()] == [3, 4, 5]


def test_big_answers_drop_the_oldest_calls_beyond_the_byte_budget(journal_of):
    journal = journal_of(cap=1000, max_bytes=2500)
    for n in range(5):
        call(journal, f"<r{n}/>".encode(), b"x" * 1000)
    assert [e.request for e in journal.entries()] == ["<r3/>", "<r4/>"]


def test_calls_dropped_by_the_cap_free_their_share_of_the_byte_budget(journal_of):
    journal = journal_of(cap=2, max_bytes=2500)
    for n in range(6):
        call(journal, f"<r{n}/>".encode(), b"x" * 1000)
    assert [e.id for e in journal.entries()] == [5, 6]


def test_the_newest_call_is_kept_even_when_it_alone_is_over_the_budget(journal_of):
    journal = journal_of(cap=1000, max_bytes=100)
    call(journal, b"<small/>", b"ok")
    call(journal, b"<big/>", b"x" * 1000)
    (entry,) = journal.entries()
    assert entry.request == "<big/>" and len(entry.response) == 1000


def test_calls_are_dropped_for_bytes_by_the_kept_entries_own_sizes_not_the_states_bound(instance, journal_of):
    """The state's count of bytes only bounds the kept bodies from above (entries the cap drops leave
    it as it was): over the budget, the entries' own sizes decide."""
    journal = journal_of(cap=1000, max_bytes=2500)
    call(journal, b"<a/>", b"x" * 1000)
    with instance.store.session() as session:
        instance.store.write_state(session, journal_bytes=10_000)
    call(journal, b"<b/>", b"x" * 1000)
    assert [e.request for e in journal.entries()] == ["<a/>", "<b/>"]


def test_bodies_are_kept_as_sent_and_read_as_text(journal_of):
    journal = journal_of()
    call(journal, "<é/>".encode(), b"\xff<bad utf-8/>")
    (entry,) = journal.entries()
    assert entry.to_json()["request"] == "<é/>"
    assert entry.to_json()["response"] == "\ufffd<bad utf-8/>"


def test_clearing_the_journal_frees_its_budget(journal_of):
    journal = journal_of(cap=1000, max_bytes=2500)
    call(journal, b"<a/>", b"x" * 2000)
    journal.clear()
    call(journal, b"<b/>", b"x" * 1000)
    call(journal, b"<c/>", b"x" * 1000)
    assert [e.request for e in journal.entries()] == ["<b/>", "<c/>"]


def test_calls_are_dropped_from_the_first_kept_however_far_it_moved(journal_of):
    journal = journal_of(cap=3, max_bytes=2500)
    for n in range(20):
        call(journal, f"<r{n}/>".encode(), b"ok")
    journal.clear()  # the first entry kept is now the 21st
    for n in range(20, 25):
        call(journal, f"<r{n}/>".encode(), b"x" * 1000)
    assert [e.id for e in journal.entries()] == [24, 25]
    call(journal, b"<r25/>", b"ok")  # the budget counts what is kept: this one fits beside both
    assert [e.id for e in journal.entries()] == [24, 25, 26]


def test_entries_page_back_from_the_newest(journal_of):
    journal = journal_of()
    for n in range(5):
        call(journal, f"<r{n}/>".encode(), b"<ok/>")
    assert [e.id for e in journal.entries(limit=2)] == [4, 5]
    assert [e.id for e in journal.entries(limit=2, offset=2)] == [2, 3]
    assert journal.count() == 5 and journal.entry(3).request == "<r2/>"


def test_a_reset_numbers_the_journal_from_one_again(instance, journal_of):
    journal = journal_of()
    call(journal, b"<a/>", b"<ok/>")
    instance.reset(None)
    call(journal, b"<b/>", b"<ok/>")
    assert [e.id for e in journal.entries()] == [1]


def test_an_entry_the_cap_dropped_is_neither_listed_counted_nor_found_by_id(journal_of):
    journal = journal_of(cap=3)
    for n in range(5):
        call(journal, f"<r{n}/>".encode(), b"<ok/>")
    assert journal.count() == 3 and journal.count(operation="getMultipleLeads") == 3
    assert journal.entry(2) is None and journal.entry(3).request == "<r2/>"


def stored_entries(instance) -> int:
    with instance.store.session() as session:
        return session.scalar(select(func.count()).select_from(JournalRow))


def test_what_the_journal_stores_is_bounded_by_its_cap_and_a_trim_batch(instance, journal_of):
    """SQLite deletes dropped entries TRIM_ENTRIES at a time (PostgreSQL at once): the store holds at
    most that many more than the cap, whatever the number of calls."""
    journal = journal_of(cap=5)
    most = 0
    for n in range(3 * TRIM_ENTRIES):
        call(journal, f"<r{n}/>".encode(), b"<ok/>")
        most = max(most, stored_entries(instance))
    assert 5 <= most <= 5 + TRIM_ENTRIES
    assert [e.id for e in journal.entries()] == list(range(3 * TRIM_ENTRIES - 4, 3 * TRIM_ENTRIES + 1))


def test_entries_dropped_for_their_bytes_leave_the_store_at_once(instance, journal_of):
    journal = journal_of(cap=1000, max_bytes=2500)
    for n in range(5):
        call(journal, f"<r{n}/>".encode(), b"x" * 1000)
    assert stored_entries(instance) == 2
