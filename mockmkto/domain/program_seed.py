"""The seed's `programs` section: programs with My Tokens, smart campaigns and static lists, loaded
and exported."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from mockmkto.domain.campaigns import CAMPAIGN_SOURCES
from mockmkto.domain.clock import Clock
from mockmkto.domain.program_views import campaign_view
from mockmkto.domain.programs import TOKEN_NAME
from mockmkto.domain.seed_format import SeedError, description, items, optional_id, text
from mockmkto.store import program_repository, static_list_repository
from mockmkto.store.models import Campaign, Program, StaticList

CAMPAIGN_TYPES = ("trigger", "batch")
FLOW_ACTIVITY = re.compile(r"^[A-Z][A-Za-z]+$")


def load_programs(session: Session, clock: Clock, doc: dict) -> int:
    """The seed's `programs` section: programs with tokens, campaigns and static lists.

    A campaign's `smartList` names static lists (of its own program first, else of any program);
    it is resolved once every program is loaded. Without one, a batch campaign runs on the
    members of its program's static lists.
    """
    smart_lists: list[tuple[str, Campaign, list[str]]] = []
    loaded = 0
    for path, item in items(doc, "programs", ""):
        smart_lists += _load_program(session, item, path)
        loaded += 1
    for path, campaign, names in smart_lists:
        list_ids = []
        for index, name in enumerate(names):
            static_list = _smart_list_target(session, campaign.program_id, name)
            if static_list is None:
                raise SeedError(f"{path}.smartList[{index}]", f"unknown static list {name!r}")
            list_ids.append(static_list.id)
        program_repository.set_smart_list(session, campaign.id, list_ids)
    return loaded


def _load_program(session: Session, item: dict, path: str) -> list[tuple[str, Campaign, list[str]]]:
    tokens = item.get("tokens", {})
    if not isinstance(tokens, dict) or not all(isinstance(v, str) for v in tokens.values()):
        raise SeedError(f"{path}.tokens", "must map {{my.name}} tokens to strings")
    for name in tokens:
        if not TOKEN_NAME.match(name):
            raise SeedError(f"{path}.tokens", f"token {name!r} is not of the form {{{{my.name}}}}")
    program = program_repository.add_program(
        session, id=optional_id(item, path), name=text(item, "name", path), tokens=tokens
    )
    smart_lists = []
    for cpath, campaign in items(item, "campaigns", f"{path}."):
        row = _load_campaign(session, program, campaign, cpath)
        names = campaign.get("smartList", [])
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise SeedError(f"{cpath}.smartList", "must list static list names")
        if names:
            smart_lists.append((cpath, row, names))
    for lpath, static_list in items(item, "lists", f"{path}."):
        list_id = optional_id(static_list, lpath)
        static_list_repository.add(session, text(static_list, "name", lpath), program.id, list_id)
    return smart_lists


def _load_campaign(session: Session, program: Program, item: dict, path: str) -> Campaign:
    sources = item.get("requestableFrom", [])
    if not isinstance(sources, list) or any(s not in CAMPAIGN_SOURCES for s in sources):
        raise SeedError(f"{path}.requestableFrom", "must list sources among MKTOWS, SALES")
    kind = item.get("type", "trigger")
    if kind not in CAMPAIGN_TYPES:
        raise SeedError(f"{path}.type", "must be trigger or batch")
    if kind == "batch" and sources:
        raise SeedError(f"{path}.requestableFrom", "a batch campaign has no trigger")
    flow = item.get("flow", [])
    if not isinstance(flow, list):
        raise SeedError(f"{path}.flow", "must be a list of steps")
    steps = []
    for index, step in enumerate(flow):
        spath = f"{path}.flow[{index}]"
        if not isinstance(step, dict) or not FLOW_ACTIVITY.match(str(step.get("activity", ""))):
            raise SeedError(spath, "a step is {activity: an activity type such as SendEmail, asset: its asset name}")
        steps.append({"activity": step["activity"], "asset": text(step, "asset", spath)})
    return program_repository.add_campaign(
        session,
        smart_list=[],
        flow=steps,
        id=optional_id(item, path),
        name=text(item, "name", path),
        description=description(item, path),
        program_id=program.id,
        campaign_type=kind,
        requestable_from=sources,
    )


def _smart_list_target(session: Session, program_id: int | None, name: str) -> StaticList | None:
    lists = static_list_repository.named(session, name.strip())
    own = [static_list for static_list in lists if static_list.program_id == program_id]
    return (own or lists)[0] if own or lists else None


def export_programs(session: Session) -> list[dict]:
    """The `programs` seed section of the current state (clones included), loadable by load_programs.
    Static list members are not part of it: the seed gives them as each lead's `listIds`."""
    section = []
    for program in program_repository.programs(session):
        campaign_items = []
        for campaign in program_repository.campaigns_of(session, program.id):
            view = campaign_view(session, campaign)
            item = {"id": view.id, "name": view.name, "type": view.type, "description": view.description}
            item |= {"requestableFrom": view.requestable_from, "smartList": view.smart_list, "flow": view.flow}
            campaign_items.append({k: v for k, v in item.items() if v not in ("", [])})
        lists = static_list_repository.of_program(session, program.id)
        section.append(
            {
                "id": program.id,
                "name": program.name,
                "tokens": dict(program.tokens),
                "campaigns": campaign_items,
                "lists": [{"id": static_list.id, "name": static_list.name} for static_list in lists],
            }
        )
    return section
