"""The `tag_types` and `channels` tables: their only reader and writer.

Both are declared by the seed alone; calls only read them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mockmkto.store.db import written
from mockmkto.store.mobject_models import Channel, TagType


def tag_types(session: Session) -> list[TagType]:
    """Every tag type (channels are not tag types), in the order the seed declared them."""
    return list(session.scalars(select(TagType).order_by(TagType.position)))


def channels(session: Session) -> list[Channel]:
    """Every channel, by name."""
    return list(session.scalars(select(Channel).order_by(Channel.name)))


def add_tag_type(session: Session, name: str, position: int, values: list[str]) -> TagType:
    """A new tag type allowing `values`, declared `position`-th; written at once, so it is declared
    for what follows."""
    return written(session, TagType(name=name, position=position, values=values))


def add_channel(session: Session, name: str, statuses: list[dict]) -> Channel:
    """A new channel with its progression `statuses`; written at once, so it is declared for what follows."""
    return written(session, Channel(name=name, statuses=statuses))
