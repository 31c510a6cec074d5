"""Marketo's request signature: hex HMAC-SHA1(secret, requestTimestamp + mktowsUserId)."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy.orm import Session

from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.store import account_repository
from mockmkto.store.db import seed_cached


class AuthenticationHeader(NamedTuple):
    """The AuthenticationHeader fields as sent (None where absent)."""

    mktowsUserId: str | None
    requestSignature: str | None
    requestTimestamp: str | None


def sign(secret: str, timestamp: str, user_id: str) -> str:
    """What a client puts in requestSignature."""
    return hmac.digest(secret.encode(), (timestamp + user_id).encode(), "sha1").hex()


def parse_timestamp(text: str) -> datetime:
    """A W3C dateTime with an offset or Z, fractional seconds allowed; no offset means UTC."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def authenticate(session: Session, clock: Clock, header: AuthenticationHeader | None, window_seconds: int) -> str:
    """Return the authenticated mktowsUserId, or raise the fault Marketo would send.

    Order: header complete (20014) -> user known (20014) -> signature (20014) -> timestamp
    parseable (20014) and inside the window of the mock's clock or the wall clock (20016)
    -> user not blocked (20013).
    """
    if header is None:
        raise MarketoError(20014, "Authentication header missing")
    if not header.mktowsUserId or not header.requestSignature or not header.requestTimestamp:
        raise MarketoError(20014, "Authentication header incomplete")
    users = seed_cached(
        session, "users", lambda: {u.user_id: (u.secret, u.blocked) for u in account_repository.users(session)}
    )
    if header.mktowsUserId not in users:
        raise MarketoError(20014, "Authentication failed")
    secret, blocked = users[header.mktowsUserId]
    expected = sign(secret, header.requestTimestamp, header.mktowsUserId)
    # As bytes: a signature with non-ASCII characters is just wrong (str would raise TypeError).
    if not hmac.compare_digest(expected.encode(), header.requestSignature.strip().lower().encode()):
        raise MarketoError(20014, "Authentication failed")
    try:
        stamp = parse_timestamp(header.requestTimestamp)
    except ValueError:
        raise MarketoError(20014, "Authentication failed: bad requestTimestamp") from None
    window = timedelta(seconds=window_seconds)
    # Marketo checks against its real clock, which no test moves; the mock's clock may have been
    # moved, and apps stamp with either (theirs, or the mock's read through the admin API).
    if abs(clock.now() - stamp) > window and abs(datetime.now(UTC) - stamp) > window:
        raise MarketoError(20016, "Request Expired")
    if blocked:
        raise MarketoError(20013, "Access Denied")
    return header.mktowsUserId
