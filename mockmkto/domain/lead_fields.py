"""The lead schema: Marketo's standard lead fields plus custom fields declared in the seed, and
the typing of attribute values against it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from mockmkto.domain import values
from mockmkto.domain.errors import MarketoError
from mockmkto.store import account_repository
from mockmkto.store.db import seed_cached


@dataclass(frozen=True)
class FieldDef:
    name: str
    display_name: str
    data_type: str
    size: int | None = None


# (API name, display name, data type, size). The display names are what importToList headers use.
STANDARD_LEAD_FIELDS: tuple[FieldDef, ...] = tuple(
    FieldDef(*row)
    for row in (
        ("Email", "Email Address", "email", 255),
        ("FirstName", "First Name", "string", 255),
        ("MiddleName", "Middle Name", "string", 255),
        ("LastName", "Last Name", "string", 255),
        ("Salutation", "Salutation", "string", 255),
        ("Title", "Job Title", "string", 255),
        ("Company", "Company Name", "string", 255),
        ("Phone", "Phone Number", "phone", 255),
        ("MobilePhone", "Mobile Phone Number", "phone", 255),
        ("Fax", "Fax Number", "phone", 255),
        ("Website", "Website", "url", 255),
        ("Address", "Address", "text", None),
        ("City", "City", "string", 255),
        ("State", "State", "string", 255),
        ("Country", "Country", "string", 255),
        ("PostalCode", "Postal Code", "string", 255),
        ("Industry", "Industry", "string", 255),
        ("AnnualRevenue", "Annual Revenue", "currency", None),
        ("NumberOfEmployees", "Num Employees", "integer", None),
        ("LeadSource", "Lead Source", "string", 255),
        ("LeadStatus", "Lead Status", "string", 255),
        ("LeadScore", "Lead Score", "integer", None),
        ("Rating", "Lead Rating", "string", 255),
        ("DateofBirth", "Date of Birth", "date", None),
        ("Unsubscribed", "Unsubscribed", "boolean", None),
        ("UnsubscribedReason", "Unsubscribed Reason", "text", None),
        ("DoNotCall", "Do Not Call", "boolean", None),
        ("InferredCompany", "Inferred Company", "string", 255),
        ("AnonymousIP", "Anonymous IP", "string", 255),
        ("SFDCLeadId", "SFDC Lead ID", "string", 18),
        ("SFDCContactId", "SFDC Contact ID", "string", 18),
        ("SFDCAccountId", "SFDC Account ID", "string", 18),
        ("SFDCLeadOwnerId", "SFDC Lead Owner ID", "string", 18),
        ("SFDCOpptyId", "SFDC Opportunity ID", "string", 18),
        ("LeadOwnerEmailAddress", "Lead Owner Email Address", "email", 255),
        ("LeadOwnerFirstName", "Lead Owner First Name", "string", 255),
        ("LeadOwnerLastName", "Lead Owner Last Name", "string", 255),
        ("MarketoSocialLastActivity", "Last Activity Date", "datetime", None),
    )
)

# The data types a lead field (or an MObject / custom object field) may have; values are typed by them.
DATA_TYPES = ("string", "text", "integer", "float", "currency", "boolean", "date", "datetime", "email", "url", "phone")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def lead_schema(session: Session) -> dict[str, FieldDef]:
    """Every lead field of this instance by API name (standard first, then the seed's custom ones)."""

    def build() -> dict[str, FieldDef]:
        fields = {f.name: f for f in STANDARD_LEAD_FIELDS}
        for row in account_repository.lead_fields(session):
            fields[row.name] = FieldDef(row.name, row.display_name, row.data_type, row.size)
        return fields

    return seed_cached(session, "lead_schema", build)


def lead_data_types(session: Session) -> dict[str, str]:
    """Lead field API name -> its data type, as lead records give it (attrType)."""
    return seed_cached(session, "lead_data_types", lambda: {n: f.data_type for n, f in lead_schema(session).items()})


def normalize_value(field: FieldDef, value: str) -> str:
    """The stored text of `value` for `field`, or 20110 when it does not fit the field's type."""
    text = value.strip() if field.data_type not in ("string", "text") else value
    if text == "":
        return ""
    kind = field.data_type
    try:
        if kind == "integer":
            return str(values.integer(text))
        if kind in ("float", "currency"):
            number = values.number(text)
            return repr(number) if number != int(number) else f"{number:.1f}"
        if kind == "boolean":
            lowered = text.lower()
            if lowered in ("true", "1", "yes"):
                return "true"
            if lowered in ("false", "0", "no"):
                return "false"
            raise ValueError(text)
        if kind == "date":
            return date.fromisoformat(text[:10]).isoformat()
        if kind == "datetime":
            return values.instant(text).isoformat()
        if kind == "email" and not EMAIL_PATTERN.match(text):
            raise ValueError(text)
    except ValueError:
        raise MarketoError(20110, f"Invalid value for field {field.name} ({kind}): {value!r}") from None
    if field.size is not None and len(text) > field.size:
        raise MarketoError(20110, f"Value for field {field.name} is longer than {field.size} characters")
    return text
