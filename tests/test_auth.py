"""AuthenticationHeader over real HTTP: Marketo's signature, the window, and each failure's fault.

Spec section 2 and docs/behaviour.md ("Protocol, authentication, faults"). Every failure is an
HTTP 500 Marketo fault, and a failed syncLead writes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mockmkto.store.models import Lead, User
from tests.soap import LiveServer, auth_header_xml, envelope, fault_code

# The server's clock is frozen here when a test needs to know "now" exactly.
NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
NOW_UTC = "2026-03-01T12:00:00+00:00"


def hmac_sha1_hex(secret: str, message: str) -> str:
    """Marketo's documented signature, computed here independently of mockmkto's own `sign`."""
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha1).hexdigest()


def signed_header(user_id: str, secret: str, stamp: str) -> str:
    return auth_header_xml(user_id, secret, stamp, hmac_sha1_hex(secret, stamp + user_id))


def sync_body(email: str = "auth-new@example.com") -> str:
    return (
        "<ns1:paramsSyncLead>"
        f"<leadRecord><Email>{email}</Email></leadRecord>"
        "<returnLead>false</returnLead>"
        "</ns1:paramsSyncLead>"
    )


def lead_count(server) -> int:
    with server.instance.store.session() as session:
        return session.scalar(select(func.count()).select_from(Lead))


def assert_rejected(server, headers: str, code: int) -> None:
    """A syncLead with these headers gets fault `code` (HTTP 500) and creates no lead."""
    before = lead_count(server)
    status, root = server.call(sync_body(), headers)
    assert status == 500
    assert fault_code(root) == code
    assert lead_count(server) == before


def assert_accepted(server, headers: str) -> None:
    status, root = server.call(sync_body(), headers)
    assert status == 200, root
    assert fault_code(root) is None


def add_users(server, *users: dict) -> None:
    server.instance.load({"users": list(users)})


# --- the signature ---------------------------------------------------------------------------


def test_valid_signature_is_accepted(server):
    # lowercase hex HMAC-SHA1(secret, requestTimestamp + mktowsUserId), spec section 2
    server.instance.clock.freeze(NOW)
    before = lead_count(server)
    assert_accepted(server, signed_header(server.user_id, server.secret, NOW_UTC))
    assert lead_count(server) == before + 1


def test_signature_over_user_id_then_timestamp_fails_20014(server):
    server.instance.clock.freeze(NOW)
    reversed_order = hmac_sha1_hex(server.secret, server.user_id + NOW_UTC)
    assert_rejected(server, auth_header_xml(server.user_id, server.secret, NOW_UTC, reversed_order), 20014)


def test_uppercase_hex_signature_is_accepted(server):
    # docs/behaviour.md: the signature is compared case-insensitively.
    server.instance.clock.freeze(NOW)
    signature = hmac_sha1_hex(server.secret, NOW_UTC + server.user_id).upper()
    assert_accepted(server, auth_header_xml(server.user_id, server.secret, NOW_UTC, signature))


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-03-01T04:00:00-08:00",  # the doc's example shape: numeric offset
        "2026-03-01T12:00:00Z",
        "2026-03-01T12:00:00.123+00:00",  # milliseconds (Java)
        "2026-03-01T12:00:00.123456Z",  # microseconds and Z
        "2026-03-01T12:00:00",  # no offset: read as UTC
    ],
    ids=["offset-08:00", "Z", "milliseconds", "microseconds-Z", "no-offset"],
)
def test_timestamp_is_verified_exactly_as_sent(server, stamp):
    server.instance.clock.freeze(NOW)
    assert_accepted(server, signed_header(server.user_id, server.secret, stamp))


def test_timestamp_reformatted_after_signing_fails_20014(server):
    # The same instant, written differently from the string that was signed.
    server.instance.clock.freeze(NOW)
    signed = "2026-03-01T04:00:00-08:00"
    header = auth_header_xml(
        server.user_id, server.secret, NOW_UTC, hmac_sha1_hex(server.secret, signed + server.user_id)
    )
    assert_rejected(server, header, 20014)


def test_wrong_secret_fails_20014(server):
    server.instance.clock.freeze(NOW)
    assert_rejected(server, signed_header(server.user_id, "not-the-secret", NOW_UTC), 20014)


def test_unknown_user_fails_20014(server):
    server.instance.clock.freeze(NOW)
    assert_rejected(server, signed_header("nobody_000000000000000000", server.secret, NOW_UTC), 20014)


def test_signature_of_another_user_fails_20014(server):
    server.instance.clock.freeze(NOW)
    add_users(server, {"userId": "other_user_1", "secret": "OTHERSECRET1"})
    others_signature = hmac_sha1_hex("OTHERSECRET1", NOW_UTC + "other_user_1")
    header = auth_header_xml(server.user_id, server.secret, NOW_UTC, others_signature)
    assert_rejected(server, header, 20014)


def test_each_user_authenticates_with_its_own_secret(server):
    server.instance.clock.freeze(NOW)
    add_users(
        server,
        {"userId": "second_user_2", "secret": "SECRET-TWO"},
        {"userId": "third_user_3", "secret": "SECRET-THREE"},
    )
    for index, (user_id, secret) in enumerate(
        [(server.user_id, server.secret), ("second_user_2", "SECRET-TWO"), ("third_user_3", "SECRET-THREE")]
    ):
        status, root = server.call(sync_body(f"user{index}@example.com"), signed_header(user_id, secret, NOW_UTC))
        assert (status, fault_code(root)) == (200, None), user_id


def test_a_users_secret_does_not_sign_for_another_seeded_user(server):
    server.instance.clock.freeze(NOW)
    add_users(server, {"userId": "second_user_2", "secret": "SECRET-TWO"})
    assert_rejected(server, signed_header("second_user_2", server.secret, NOW_UTC), 20014)


# --- the header itself -----------------------------------------------------------------------


def test_missing_authentication_header_fails_20014(server):
    assert_rejected(server, "", 20014)


@pytest.mark.parametrize("missing", ["mktowsUserId", "requestSignature", "requestTimestamp"])
def test_authentication_header_without_a_required_child_fails_20014(server, missing):
    server.instance.clock.freeze(NOW)
    header = signed_header(server.user_id, server.secret, NOW_UTC)
    start, end = header.index(f"<{missing}>"), header.index(f"</{missing}>") + len(f"</{missing}>")
    assert_rejected(server, header[:start] + header[end:], 20014)


@pytest.mark.parametrize("empty", ["mktowsUserId", "requestSignature", "requestTimestamp"])
def test_authentication_header_with_an_empty_required_child_fails_20014(server, empty):
    server.instance.clock.freeze(NOW)
    header = signed_header(server.user_id, server.secret, NOW_UTC)
    start, end = header.index(f"<{empty}>") + len(f"<{empty}>"), header.index(f"</{empty}>")
    assert_rejected(server, header[:start] + header[end:], 20014)


def test_signature_with_non_ascii_characters_fails_20014(server):
    # Issue 16.1: never 10001 (an internal error) for a malformed signature.
    server.instance.clock.freeze(NOW)
    signature = "é" + hmac_sha1_hex(server.secret, NOW_UTC + server.user_id)[1:]
    assert_rejected(server, auth_header_xml(server.user_id, server.secret, NOW_UTC, signature), 20014)


def test_unparseable_timestamp_fails_20014(server):
    stamp = "yesterday at noon"
    assert_rejected(server, signed_header(server.user_id, server.secret, stamp), 20014)


# --- the window (900 s either way of the mock's clock or the wall clock, docs/behaviour.md) ------


def test_timestamp_older_than_the_window_fails_20016(server):
    server.instance.clock.freeze(NOW)
    stamp = (NOW - timedelta(seconds=901)).isoformat()
    assert_rejected(server, signed_header(server.user_id, server.secret, stamp), 20016)


def test_timestamp_newer_than_the_window_fails_20016(server):
    server.instance.clock.freeze(NOW)
    stamp = (NOW + timedelta(seconds=901)).isoformat()
    assert_rejected(server, signed_header(server.user_id, server.secret, stamp), 20016)


@pytest.mark.parametrize("seconds", [-900, 900], ids=["900s-old", "900s-ahead"])
def test_timestamp_at_the_edge_of_the_window_is_accepted(server, seconds):
    server.instance.clock.freeze(NOW)
    stamp = (NOW + timedelta(seconds=seconds)).isoformat()
    assert_accepted(server, signed_header(server.user_id, server.secret, stamp))


def test_timestamp_of_the_wall_clock_is_accepted_when_the_mock_clock_was_moved(server):
    # Marketo checks against its real clock, which no test moves: an app signing with its own clock works.
    server.instance.clock.set(datetime.now(UTC) + timedelta(days=7))
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    assert_accepted(server, signed_header(server.user_id, server.secret, stamp))


def test_timestamp_of_the_moved_mock_clock_is_accepted(server):
    moved = datetime.now(UTC) + timedelta(days=7)
    server.instance.clock.set(moved)
    assert_accepted(server, signed_header(server.user_id, server.secret, moved.isoformat(timespec="seconds")))


def test_timestamp_outside_the_window_of_both_clocks_fails_20016(server):
    moved = datetime.now(UTC) + timedelta(days=7)
    server.instance.clock.set(moved)
    between = (moved - timedelta(days=3)).isoformat(timespec="seconds")
    assert_rejected(server, signed_header(server.user_id, server.secret, between), 20016)


def test_expired_timestamp_with_a_bad_signature_fails_20014(server):
    # Signature before age: a stale request with a wrong signature is not "expired", it is unauthenticated.
    server.instance.clock.freeze(NOW)
    stamp = (NOW - timedelta(hours=2)).isoformat()
    assert_rejected(server, signed_header(server.user_id, "not-the-secret", stamp), 20014)


# --- blocked users and auth switched off ------------------------------------------------------


def block(server, user_id: str) -> None:
    with server.instance.store.session() as session:
        session.get(User, user_id).blocked = True


def test_blocked_user_with_a_valid_signature_fails_20013(server):
    server.instance.clock.freeze(NOW)
    block(server, server.user_id)
    assert_rejected(server, signed_header(server.user_id, server.secret, NOW_UTC), 20013)


def test_blocked_user_with_a_wrong_signature_fails_20014(server):
    # docs/behaviour.md: a blocked user gets 20013 only after a valid signature.
    server.instance.clock.freeze(NOW)
    block(server, server.user_id)
    assert_rejected(server, signed_header(server.user_id, "not-the-secret", NOW_UTC), 20014)


def test_user_seeded_as_blocked_fails_20013(server):
    server.instance.clock.freeze(NOW)
    add_users(server, {"userId": "blocked_user_9", "secret": "BLOCKED-SECRET", "blocked": True})
    assert_rejected(server, signed_header("blocked_user_9", "BLOCKED-SECRET", NOW_UTC), 20013)


def test_request_without_header_works_when_auth_is_disabled():
    open_server = LiveServer(auth=False)
    try:
        response = open_server.post(envelope(sync_body(), headers=""))
        assert response.status_code == 200
        assert lead_count(open_server) == len(open_server.seed["leads"]) + 1
    finally:
        open_server.stop()
