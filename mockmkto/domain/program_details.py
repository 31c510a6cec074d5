"""A Program's period costs and tags (its channel among them): the typeAttribs syncMObjects changes
on an existing program (spec section 11.4), and the seed's programTags and programCosts, checked alike.

syncMObjects makes every typeAttrib of a program into a change before it applies any, so a program
with one bad typeAttrib changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from mockmkto.domain import values
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.tags import find_tag
from mockmkto.store import program_repository

COST_ATTRIBS = ("Month", "Amount", "Id", "Note")
TAG_ATTRIBS = ("Type", "Value")
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@dataclass
class TypeAttrib:
    attr_type: str | None
    attribs: list[tuple[str | None, str | None]] = field(default_factory=list)


@dataclass
class CostChange:
    cost_id: int | None
    month: date
    amount: float
    note: str | None

    def apply(self, session: Session, program_id: int) -> bool:
        if self.cost_id is None:
            program_repository.add_program_cost(session, program_id, self.month, self.amount, self.note)
            return True
        cost = program_repository.existing_program_cost(session, self.cost_id)  # _cost_id found it
        wanted = (self.month, self.amount, cost.note if self.note is None else self.note)
        if (cost.month, cost.amount, cost.note) == wanted:
            return False
        cost.month, cost.amount, cost.note = wanted
        return True


@dataclass
class TagChange:
    tag_type: str
    value: str

    def apply(self, session: Session, program_id: int) -> bool:
        tag = program_repository.program_tag(session, program_id, self.tag_type)
        if tag is None:
            program_repository.add_program_tag(session, program_id, self.tag_type, self.value)
            return True
        if tag.value == self.value:
            return False
        tag.value = self.value
        return True


def program_change(session: Session, program_id: int, type_attrib: TypeAttrib) -> CostChange | TagChange:
    attr_type = (type_attrib.attr_type or "").strip().casefold()
    if attr_type == "cost":
        values = _named_attribs(type_attrib.attribs, COST_ATTRIBS, "Cost")
        cost_id = _cost_id(session, program_id, values.get("Id"))
        return CostChange(
            cost_id, cost_month(values.get("Month")), cost_amount(values.get("Amount")), values.get("Note")
        )
    if attr_type == "tag":
        values = _named_attribs(type_attrib.attribs, TAG_ATTRIBS, "Tag")
        tag = {name: values.get(name) or "" for name in TAG_ATTRIBS}
        missing = [name for name in TAG_ATTRIBS if not tag[name].strip()]
        if missing:
            raise MarketoError(20109, f"Tag attrib {missing[0]} is required")
        return TagChange(*find_tag(session, tag["Type"], tag["Value"]))
    raise MarketoError(20110, f"attrType must be Cost or Tag, got {type_attrib.attr_type!r}")


def _named_attribs(
    attribs: list[tuple[str | None, str | None]], names: tuple[str, ...], kind: str
) -> dict[str, str | None]:
    by_key = {name.casefold(): name for name in names}
    values: dict[str, str | None] = {}
    for name, value in attribs:
        canonical = by_key.get((name or "").strip().casefold())
        if canonical is None:
            raise MarketoError(20110, f"Unknown {kind} attrib {name!r}: expected {', '.join(names)}")
        values[canonical] = value
    return values


def cost_month(value: str | None) -> date:
    """A cost month, sent as YYYY-MM (or a date in that month), stored as the month's first day."""
    if not value or not value.strip():
        raise MarketoError(20109, "Cost attrib Month is required")
    match = MONTH_PATTERN.match(value.strip())
    try:
        if match is None:
            raise ValueError(value)
        year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
        date(year, month, day)
    except ValueError:
        raise MarketoError(20110, f"Cost Month must be YYYY-MM, got {value!r}") from None
    return date(year, month, 1)


def cost_amount(value: str | None) -> float:
    if value is None or not value.strip():
        raise MarketoError(20109, "Cost attrib Amount is required")
    try:
        amount = values.number(value)
    except ValueError:
        amount = None
    if amount is None or amount < 0:
        raise MarketoError(20110, f"Cost Amount must be a non-negative number, got {value!r}")
    return amount


def _cost_id(session: Session, program_id: int, value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        cost = program_repository.program_cost_by_id(session, values.integer(value, low=1))
    except ValueError:
        cost = None
    if cost is None or cost.program_id != program_id:
        raise MarketoError(20110, f"Program {program_id} has no cost with Id {value}")
    return cost.id
