"""Typed values the domain reads out of text: lead and MObject field values, cost amounts and
ids, criteria, stream offsets. Only ASCII forms, numbers that are finite and within their range,
instants a store can hold: what Python's int(), float() and fromisoformat() take besides
(`1_000`, other scripts' digits, `inf`, `1e309`, years an offset pushes past 9999) is refused
here, so no such value reaches a store or a comparison. Each raises ValueError; the caller
answers the fault its operation documents.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import TypeGuard

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # Marketo's integer fields and ids are 32-bit
# Marketo's names, keys and string fields hold up to 255 characters (a key longer than PostgreSQL
# indexes, about 2,700 bytes, would be refused by one store and kept by the other).
TEXT_MAX = 255
# The characters XML 1.0 cannot carry: no SOAP message, so no Marketo value, holds one (and
# PostgreSQL's text refuses NUL besides).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
NOT_XML_PROBLEM = "holds {}, a character XML (so no SOAP call, and no Marketo value) cannot carry"
INTEGER = re.compile(r"[+-]?[0-9]+")
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def integer(text: str, low: int = INT_MIN, high: int = INT_MAX) -> int:
    value = text.strip()
    if not INTEGER.fullmatch(value) or not low <= int(value) <= high:
        raise ValueError(text)
    return int(value)


def whole_number(value: object, low: int = INT_MIN, high: int = INT_MAX) -> TypeGuard[int]:
    """Whether `value` (as JSON gives it: an admin request, a seed) is an int, not a bool, from
    `low` to `high`: a larger one neither Marketo nor a store (PostgreSQL's integer) holds."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def number(text: str) -> float:
    value = text.strip()
    if not NUMBER.fullmatch(value):
        raise ValueError(text)
    parsed = float(value)
    if not math.isfinite(parsed):  # 1e309
        raise ValueError(text)
    return parsed


def instant(text: str) -> datetime:
    """An ISO 8601 date and time (naive when it has no offset: UTC), as `storable`."""
    value = text.strip()
    if not value.isascii():
        raise ValueError(text)
    return storable(datetime.fromisoformat(value.replace("Z", "+00:00")))


def storable(value: datetime) -> datetime:
    """`value` when its time in UTC is in years 1 to 9999 (what the stores keep), where an offset
    may push a date at either end."""
    try:
        value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC)
    except OverflowError:
        raise ValueError(value) from None
    return value


def not_xml(doc: object, path: str) -> tuple[str, str] | None:
    """The first text of a JSON document (a key or a value; `path` names the document) holding a
    character XML cannot carry: its path (`path.key[index]`) and the character as U+XXXX; None
    when every text can be carried. Walked without recursion: a document may nest as deep as
    its parser allowed."""
    waiting: list[tuple[str, object]] = [(path, doc)]
    while waiting:
        where, value = waiting.pop()
        if isinstance(value, str):
            found = NOT_XML.search(value)
            if found:
                return where, f"U+{ord(found.group()):04X}"
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                name = f"{where}.{key}" if where else str(key)
                waiting += [(name, item), (name, key)]  # the key is looked at first
        elif isinstance(value, list):
            waiting += [(f"{where}[{index}]", item) for index, item in reversed(list(enumerate(value)))]
    return None
