"""The XSD simple types of mktows' params and their legal values: the protocol reads every
xs:int, xs:dateTime and xs:boolean of a request with these (`READERS`), so the operations only
ever see values of their type.

A text that is not a value of its element's type is not a request Marketo's schema describes:
fault 20012 Request Not Understood, before the operation runs (docs/behaviour.md). Spyne's own
readers take more (Python's int(): `1_000`, other scripts' digits, any size; dates past their
month's end, which raise mid-parse) and less (nothing of its regexes' prefix is checked after).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from spyne.model.primitive import Boolean, DateTime, Integer32

from mockmkto.domain import values
from mockmkto.domain.errors import MarketoError

# XSD's lexical form, ASCII only; a value's surrounding whitespace is collapsed away first.
DATETIME_PATTERN = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?"
    r"(?P<zone>Z|[+-](?P<zone_hours>[0-9]{2}):(?P<zone_minutes>[0-9]{2}))?"
)
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
MAX_OFFSET = timedelta(hours=14)  # XSD's range of time zone offsets


def not_understood(text: str, xsd_type: str) -> MarketoError:
    return MarketoError(20012, f"Request Not Understood: {text!r} is not an {xsd_type}")


def xs_int(text: str) -> int:
    try:
        return values.integer(text)  # xs:int is 32-bit, as the domain's integers
    except ValueError:
        raise not_understood(text, "xs:int") from None


def xs_boolean(text: str) -> bool:
    # Case-insensitive, a leniency clients rely on: Marketo's docs write mergeInSales "True".
    value = BOOLEANS.get(text.strip().lower())
    if value is None:
        raise not_understood(text, "xs:boolean")
    return value


def xs_datetime(text: str) -> datetime:
    """An instant whose time in UTC falls in years 1 to 9999 (a Python datetime; the stores keep
    UTC). Without an offset it is UTC, as the signature's timestamp (docs/behaviour.md)."""
    match = DATETIME_PATTERN.fullmatch(text.strip())
    if match is None:
        raise not_understood(text, "xs:dateTime")
    fields = match.groupdict()
    offset = timedelta(hours=int(fields["zone_hours"] or 0), minutes=int(fields["zone_minutes"] or 0))
    if fields["zone"] and fields["zone"].startswith("-"):
        offset = -offset
    year, month, day, hour, minute, second = (
        int(fields[name]) for name in ("year", "month", "day", "hour", "minute", "second")
    )
    try:
        if abs(offset) > MAX_OFFSET or int(fields["zone_minutes"] or 0) > 59:
            raise ValueError(offset)
        microsecond = int((fields["fraction"] or "0")[:6].ljust(6, "0"))
        return values.storable(datetime(year, month, day, hour, minute, second, microsecond, timezone(offset)))
    except ValueError:
        raise not_understood(text, "xs:dateTime") from None


# Spyne's primitive -> its reader, for the protocol's from-unicode handlers.
READERS = {
    Integer32: lambda cls, text: xs_int(text),
    Boolean: lambda cls, text: xs_boolean(text),
    DateTime: lambda cls, text: xs_datetime(text),
}
