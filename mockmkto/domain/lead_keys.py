"""Lead keys: which LeadKeyRefs Marketo knows, how a key's value is read, and the one lookup of
leads by key that every operation uses (`find_by_key`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mockmkto.domain.errors import MarketoError
from mockmkto.domain.values import INT_MAX  # Id is an xs:int
from mockmkto.store import lead_repository
from mockmkto.store.models import Lead

LEAD_KEY_REFS = (
    "IDNUM",
    "COOKIE",
    "EMAIL",
    "LEADOWNEREMAIL",
    "SFDCACCOUNTID",
    "SFDCCONTACTID",
    "SFDCLEADID",
    "SFDCLEADOWNERID",
    "SFDCOPPTYID",
)


def email_key(email: str | None) -> str | None:
    """Emails match case-insensitively."""
    return email.strip().lower() if email else None


def lead_id_value(value: str | int | None) -> int | None:
    """A lead Id from a key value: ASCII digits within xs:int, else None (no lead can have it)."""
    if isinstance(value, int):
        return value if 0 < value <= INT_MAX else None
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= INT_MAX else None


def check_lead_key(key_type: str | None, key_value: str | None) -> tuple[str, str]:
    """A LeadKey's keyType, upper-cased, and its value: 20101 when the key is missing, 20102 when the type
    is unknown."""
    if not key_type or key_value is None or key_value.strip() == "":
        raise MarketoError(20101, "Lead key required")
    normalized = key_type.strip().upper()
    if normalized not in LEAD_KEY_REFS:
        raise MarketoError(20102, f"Lead key type {key_type} is not valid")
    return normalized, key_value


def key_lookup_value(key_type: str, key_value: str) -> Any:
    """A (checked) key's value as its column holds it: an Id (None if no lead can have it), an
    email lower-cased, anything else stripped."""
    if key_type == "IDNUM":
        return lead_id_value(key_value)
    if key_type in ("EMAIL", "LEADOWNEREMAIL"):
        return email_key(key_value)
    return key_value.strip()


def find_by_key(session: Session, key_type: str | None, key_value: str | None) -> list[Lead]:
    """Every lead a LeadKey matches, most recently updated first (only EMAIL-like keys repeat);
    20101/20102 for a bad key."""
    key_type, key_value = check_lead_key(key_type, key_value)
    return lead_repository.find(session, key_type, key_lookup_value(key_type, key_value))
