"""mockmkto's PostgreSQL advisory locks (an instance's, its leads' keys', its import chunks'): their
numbers, each made from a name by one rule, and how a unit of work that shares the instance holds
them. Processes sharing a database must number a lock alike, whichever version of mockmkto each
runs: the rule does not change (tests/test_store.py pins it)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import BigInteger, String, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from mockmkto.store.prepared import Prepared

# session.info key (set by store/db.py): the unit of work holds the instance's lock shared, so units
# of other processes may write meanwhile what such units write (PostgreSQL: syncLead's leads, an
# import's chunks). Its value (bytes) names the instance: the key space of its own locks.
SHARED_UNIT = "shared_unit"
# Takes the locks of `numbers`, an array literal ("{n,n,...}"), in its order. One statement text for
# any number of locks (an import's unit takes hundreds: a SELECT of a call each cost its server
# more), and the literal written here: psycopg writing a list of ints costs more than the locks.
_HOLD = Prepared(
    select(
        func.count(
            func.pg_advisory_xact_lock(
                func.unnest(cast(bindparam("numbers", type_=String), ARRAY(BigInteger))).column_valued()
            )
        )
    )
)


def lock_number(name: bytes) -> int:
    """The signed 64-bit number PostgreSQL's advisory lock functions take, for `name`."""
    return int.from_bytes(hashlib.sha1(name).digest()[:8], "big", signed=True)


def hold(session: Session, names: Iterable[bytes]) -> bool:
    """Hold, until the unit of work ends, the instance's lock of each name, where the unit shares the
    instance (SHARED_UNIT); whether it took them (elsewhere the unit holds the store alone already).
    Taken in one statement, in the order of their numbers: two units taking several never wait for
    each other in a cycle."""
    space = session.info.get(SHARED_UNIT)
    if space is None:
        return False
    numbers = sorted({lock_number(space + name) for name in names})
    if numbers:
        _HOLD.rows(session, {"numbers": "{" + ",".join(map(str, numbers)) + "}"})
    return True
