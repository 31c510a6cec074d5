"""Programs and their smart campaigns by name, and My Tokens: the rules every campaign call
(requestCampaign, scheduleCampaign, importToList, the runs) shares."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from mockmkto.domain.errors import MarketoError
from mockmkto.store import program_repository
from mockmkto.store.models import Campaign, Program

TOKEN_NAME = re.compile(r"^\{\{my\.[^{}]+\}\}$")


def utc(value: datetime) -> datetime:
    """`value` in UTC; a time sent without an offset is read as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def given(value: str | None) -> str | None:
    """A string parameter, or None when it is absent or blank."""
    return value.strip() if value is not None and value.strip() else None


def required(value: str | None, name: str) -> str:
    """A string parameter that must be given (not blank), as given: 20109 otherwise."""
    if value is None or given(value) is None:
        raise MarketoError(20109, f"{name} is required")
    return value


def check_token_name(name: str | None) -> str:
    """A My Token name in full UI syntax, `{{my.name}}`; 20110 otherwise."""
    if name is None or not TOKEN_NAME.match(name.strip()):
        raise MarketoError(20110, f"Bad token name {name!r}: use the full token syntax, e.g. {{{{my.message}}}}")
    return name.strip()


def token_overrides(attribs: Sequence[tuple[str | None, str | None]] | None) -> dict[str, str]:
    """A programTokenList as name -> value (an absent list is an empty one)."""
    return {check_token_name(name): value or "" for name, value in attribs or ()}


def resolve_tokens(
    program_tokens: dict[str, str], run_tokens: dict[str, str], lead_tokens: dict[str, str]
) -> dict[str, str]:
    """The My Token values one lead gets in one run. Highest first: the lead's values from
    importToList, then the call's programTokenList, then the program's own My Tokens."""
    return {**program_tokens, **run_tokens, **lead_tokens}


def find_program(session: Session, name: str) -> Program | None:
    """The program named so, case-insensitively; blanks around the name do not count."""
    return program_repository.program_named(session, name.strip())


def find_campaign(session: Session, program: Program, name: str) -> Campaign | None:
    """The program's campaign named so, case-insensitively; blanks around the name do not count."""
    return program_repository.campaign_named(session, program.id, name.strip())


def full_name(session: Session, campaign: Campaign) -> str:
    """A campaign's name as Marketo lists it: "Program Name.Campaign Name"."""
    program = program_repository.program_by_id(session, campaign.program_id)
    return f"{program.name}.{campaign.name}" if program is not None else campaign.name


def program_campaign(session: Session, program_name: str, campaign_name: str) -> Campaign:
    program = find_program(session, program_name)
    if program is None:
        raise MarketoError(20113, f"Program {program_name} not found")
    campaign = find_campaign(session, program, campaign_name)
    if campaign is None:
        raise MarketoError(20113, f"Campaign {campaign_name} not found in program {program.name}")
    return campaign
