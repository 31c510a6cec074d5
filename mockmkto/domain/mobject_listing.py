"""The admin listing of MObjects (`GET /_admin/mobjects`, the dashboard's MObjects page): every
Program, Opportunity and OpportunityPersonRole as JSON, with what getMObjects gives of each."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mockmkto.domain.mobject_fields import PROGRAM, SYNCABLE_TYPES, mobject_fields, mobject_type
from mockmkto.domain.mobject_queries import program_views, record_views

# The typeAttribs of a program view, by the key the listing gives them.
TYPE_ATTRIB_KEYS = {"Tag": "tags", "Cost": "costs", "Token": "tokens"}


def list_mobjects(session: Session, type_name: str | None = None) -> list[dict]:
    """Every Program, Opportunity and OpportunityPersonRole (or those of one type, 20110 if unknown) as JSON-able
    dicts, by type then id, with the attribs getMObjects gives; programs with their tags, costs and tokens."""
    kinds = SYNCABLE_TYPES if type_name is None else (mobject_type(type_name, SYNCABLE_TYPES),)
    listed = []
    for kind in kinds:
        if kind == PROGRAM:
            views = program_views(session, None, None, [], [], True)
        else:
            views = record_views(session, kind, None, None, [], [])
        custom = [] if kind == PROGRAM else [f.name for f in mobject_fields(session, kind).values() if f.custom]
        for view in views:
            attribs = dict(view.attribs)
            # Marketo has no designated external key: the first seed-declared field with a value serves as one.
            key = next((name for name in custom if name in attribs), None)
            item: dict[str, Any] = {
                "type": view.type,
                "id": view.id,
                "externalKey": {"name": key, "value": attribs[key]} if key else None,
                "attribs": attribs,
                "associations": [{"type": t, "id": i} for t, i in view.associations],
            }
            if kind == PROGRAM:
                item |= {listing: [] for listing in TYPE_ATTRIB_KEYS.values()}
            for attr_type, pairs in view.type_attribs:
                item[TYPE_ATTRIB_KEYS[attr_type]].append(dict(pairs))
            if view.created_at is not None and view.updated_at is not None:
                item |= {"createdAt": view.created_at.isoformat(), "updatedAt": view.updated_at.isoformat()}
            listed.append(item)
    return listed
