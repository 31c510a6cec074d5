"""Program tags and channels: the tag types with their allowed values, the channels with their
progression statuses (getTags, getChannels), and the check that a tag or channel exists.

Both are defined by the seed; the API reads them and can put them on a program, never create them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.seed_format import SeedError, items, text
from mockmkto.domain.values import INT_MAX, whole_number
from mockmkto.store import tag_repository

# The tag type under which a program's channel is read and written (Tag{Type=Channel, Value=Webinar}).
CHANNEL = "Channel"


@dataclass
class TagView:
    type: str
    values: list[str]


@dataclass
class ProgressionStatus:
    """One status of a channel's progression, with the attribs Marketo shows beside Status/Step/Success."""

    status: str
    step: int
    success: bool
    attributes: list[tuple[str, str]]


@dataclass
class ChannelView:
    name: str
    statuses: list[ProgressionStatus]


def get_tags(session: Session, requested: list[tuple[str | None, list[str]]] | None) -> list[TagView]:
    """getTags: every non-channel tag type with its values, or only the (type, values) asked for.

    A requested type or value that does not exist is left out; a request without a type looks in every type.
    """
    tag_types = tag_repository.tag_types(session)
    if not requested:
        return [TagView(t.name, list(t.values)) for t in tag_types]
    out = []
    for wanted_type, wanted_values in requested:
        for tag_type in tag_types:
            if wanted_type and tag_type.name.casefold() != wanted_type.strip().casefold():
                continue
            values = _matching(tag_type.values, wanted_values)
            if values:
                out.append(TagView(tag_type.name, values))
    return out


def get_channels(session: Session, names: list[str] | None) -> list[ChannelView]:
    """getChannels: the channels (all, or those named) by name, each status list ordered by status."""
    channels = sorted(tag_repository.channels(session), key=lambda c: c.name.casefold())
    if names:
        wanted = {n.strip().casefold() for n in names if n}
        channels = [c for c in channels if c.name.casefold() in wanted]
    return [ChannelView(c.name, _statuses(c.statuses)) for c in channels]


def find_tag(session: Session, tag_type: str, value: str) -> tuple[str, str]:
    """The (type, value) as defined, matched case-insensitively; 20110 when the type or value is not defined."""
    if tag_type.strip().casefold() == CHANNEL.casefold():
        for channel in tag_repository.channels(session):
            if channel.name.casefold() == value.strip().casefold():
                return CHANNEL, channel.name
        raise MarketoError(20110, f"Channel {value!r} is not defined")
    for defined in tag_repository.tag_types(session):
        if defined.name.casefold() == tag_type.strip().casefold():
            values = _matching(defined.values, [value])
            if not values:
                raise MarketoError(20110, f"Tag value {value!r} is not defined for tag type {defined.name!r}")
            return defined.name, values[0]
    raise MarketoError(20110, f"Tag type {tag_type!r} is not defined")


def _matching(values: list[str], wanted: list[str] | None) -> list[str]:
    if not wanted:
        return list(values)
    keys = {w.strip().casefold() for w in wanted if w}
    return [v for v in values if v.casefold() in keys]


def _statuses(rows: list[dict]) -> list[ProgressionStatus]:
    statuses = [
        ProgressionStatus(row["status"], row["step"], row["success"], list(row["attributes"].items())) for row in rows
    ]
    return sorted(statuses, key=lambda s: s.status.casefold())


def load_tags(session: Session, clock: Clock, doc: dict) -> int:
    """The seed's `tags` section: [{"type": "Region", "values": ["EMEA", ...]}, ...]; export_tags writes it."""
    loaded = 0
    for position, (path, item) in enumerate(items(doc, "tags", "")):
        name = text(item, "type", path)
        if name.casefold() == CHANNEL.casefold():
            raise SeedError(f"{path}.type", "Channel is not a tag type: declare channels in `channels`")
        if _declared((t.name for t in tag_repository.tag_types(session)), name):
            raise SeedError(f"{path}.type", f"tag type {name!r} is already declared")
        values = item.get("values", [])
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise SeedError(f"{path}.values", "must be a list of tag values")
        tag_repository.add_tag_type(session, name, position, values)
        loaded += 1
    return loaded


def load_channels(session: Session, clock: Clock, doc: dict) -> int:
    """The seed's `channels` section: [{"name": "Webinar", "statuses": [{"status", "step", "success",
    "attributes"}]}, ...]; export_channels writes it."""
    loaded = 0
    for path, item in items(doc, "channels", ""):
        name = text(item, "name", path)
        if _declared((c.name for c in tag_repository.channels(session)), name):
            raise SeedError(f"{path}.name", f"channel {name!r} is already declared")
        statuses = []
        for spath, status in items(item, "statuses", f"{path}."):
            step = status.get("step")
            if not whole_number(step, 0):
                raise SeedError(f"{spath}.step", f"must be a whole number from 0 to {INT_MAX}")
            if not isinstance(status.get("success", False), bool):
                raise SeedError(f"{spath}.success", "must be true or false")
            attributes = status.get("attributes", {})
            if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
                raise SeedError(f"{spath}.attributes", "must map attrib names to strings")
            statuses.append(
                {
                    "status": text(status, "status", spath),
                    "step": step,
                    "success": status.get("success", False),
                    "attributes": attributes,
                }
            )
        tag_repository.add_channel(session, name, statuses)
        loaded += 1
    return loaded


def _declared(declared: Iterable[str], name: str) -> bool:
    """Tag types and channels match case-insensitively, so a name is declared once (a seed may load onto a state)."""
    return any(existing.casefold() == name.casefold() for existing in declared)


def export_tags(session: Session) -> list[dict]:
    """The `tags` section of the current state, in declaration order, loadable by load_tags."""
    return [{"type": t.name, "values": list(t.values)} for t in tag_repository.tag_types(session)]


def export_channels(session: Session) -> list[dict]:
    """The `channels` section, loadable by load_channels. Channels keep no declaration order (getChannels sorts
    them), so they come by name."""
    return [
        {"name": c.name, "statuses": [_status_item(row) for row in c.statuses]}
        for c in tag_repository.channels(session)
    ]


def _status_item(row: dict) -> dict:
    item = {"status": row["status"], "step": row["step"], "success": row["success"]}
    return item | ({"attributes": dict(row["attributes"])} if row["attributes"] else {})


EXPORTS = (("tags", export_tags), ("channels", export_channels))


def export_sections(session: Session) -> dict:
    """Every non-empty seed section of this module: `tags` (load_tags) and `channels` (load_channels)."""
    return {section: data for section, export in EXPORTS if (data := export(session))}
