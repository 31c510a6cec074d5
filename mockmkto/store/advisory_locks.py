"""The numbers of mockmkto's PostgreSQL advisory locks (an instance's, its leads' keys'): each made
from a name by one rule. Processes sharing a database must number a lock alike, whichever version of
mockmkto each runs: the rule does not change (tests/test_store.py pins it)."""

from __future__ import annotations

import hashlib


def lock_number(name: bytes) -> int:
    """The signed 64-bit number PostgreSQL's advisory lock functions take, for `name`."""
    return int.from_bytes(hashlib.sha1(name).digest()[:8], "big", signed=True)
