"""Programs, smart campaigns and My Tokens."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mockmkto.domain.clock import Clock
from mockmkto.domain.seed_format import SeedError, items, text
from mockmkto.store.models import Campaign, Program, StaticList

CAMPAIGN_SOURCES = ("MKTOWS", "SALES")


def load_programs(session: Session, clock: Clock, doc: dict) -> int:
    """The seed's `programs` section: programs with tokens, campaigns and static lists."""
    loaded = 0
    for path, item in items(doc, "programs", ""):
        _load_program(session, item, path)
        loaded += 1
    return loaded


def _load_program(session: Session, item: dict, path: str) -> None:
    tokens = item.get("tokens", {})
    if not isinstance(tokens, dict) or not all(isinstance(v, str) for v in tokens.values()):
        raise SeedError(f"{path}.tokens", "must map {{my.name}} tokens to strings")
    for name in tokens:
        if not (name.startswith("{{my.") and name.endswith("}}")):
            raise SeedError(f"{path}.tokens", f"token {name!r} is not of the form {{{{my.name}}}}")
    program = Program(id=item.get("id"), name=text(item, "name", path), tokens=tokens)
    session.add(program)
    session.flush()
    for cpath, campaign in items(item, "campaigns", f"{path}."):
        sources = campaign.get("requestableFrom", [])
        if not isinstance(sources, list) or any(s not in CAMPAIGN_SOURCES for s in sources):
            raise SeedError(f"{cpath}.requestableFrom", "must list sources among MKTOWS, SALES")
        kind = campaign.get("type", "trigger")
        if kind not in ("trigger", "batch"):
            raise SeedError(f"{cpath}.type", "must be trigger or batch")
        session.add(
            Campaign(
                id=campaign.get("id"),
                name=text(campaign, "name", cpath),
                description=campaign.get("description", ""),
                program_id=program.id,
                campaign_type=kind,
                requestable_from=sources,
            )
        )
    for lpath, static_list in items(item, "lists", f"{path}."):
        session.add(StaticList(id=static_list.get("id"), name=text(static_list, "name", lpath), program_id=program.id))
