"""The `users`, `settings`, `workspaces`, `partitions`, `assignment_rules` and `lead_fields` tables:
what an instance's admin sets up (API users, workspaces and their partitions, lead partition rules,
custom lead fields, settings). Seeds write them; calls read them, most through `seed_cached`.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from mockmkto.store.db import written
from mockmkto.store.models import AssignmentRule, LeadField, Partition, Setting, User, Workspace
from mockmkto.store.prepared import Prepared

WORKSPACES_ENABLED = "workspaces_enabled"
# Prepared: read by every call that names its workspace.
_WORKSPACE_NAMED = Prepared(select(Workspace).where(func.lower(Workspace.name) == bindparam("name")))


def setting(session: Session, name: str) -> str | None:
    """The value of a setting, None when it was never set."""
    found = session.get(Setting, name)
    return found.value if found is not None else None


def set_setting(session: Session, name: str, value: str) -> None:
    session.merge(Setting(name=name, value=value))


def workspaces_enabled(session: Session) -> bool:
    return setting(session, WORKSPACES_ENABLED) == "true"


def enable_workspaces(session: Session, enabled: bool) -> None:
    set_setting(session, WORKSPACES_ENABLED, "true" if enabled else "false")


def users(session: Session) -> list[User]:
    """Every API user, by user id."""
    return list(session.scalars(select(User).order_by(User.user_id)))


def has_users(session: Session) -> bool:
    return session.scalar(select(User).limit(1)) is not None


def set_user(session: Session, user_id: str, secret: str, blocked: bool) -> None:
    """The API user `user_id`, added or replaced."""
    session.merge(User(user_id=user_id, secret=secret, blocked=blocked))


def add_workspace(session: Session, name: str) -> Workspace:
    """A new workspace (no primary partition yet), its id the database's."""
    return written(session, Workspace(name=name))


def workspaces(session: Session) -> list[Workspace]:
    """Every workspace, by id."""
    return list(session.scalars(select(Workspace).order_by(Workspace.id)))


def workspace_named(session: Session, name: str) -> Workspace | None:
    """The workspace of that name, compared case-insensitively."""
    return _WORKSPACE_NAMED.first(session, {"name": name.lower()})


def add_partition(session: Session, name: str, workspace_id: int) -> Partition:
    """A new partition of the workspace, its id the database's."""
    return written(session, Partition(name=name, workspace_id=workspace_id))


def partitions(session: Session) -> list[Partition]:
    return list(session.scalars(select(Partition)))


def workspace_partitions(session: Session, workspace_id: int) -> list[Partition]:
    return list(session.scalars(select(Partition).where(Partition.workspace_id == workspace_id)))


def add_assignment_rule(session: Session, position: int, attribute: str, value: str, partition_id: int) -> None:
    """A lead partition rule: a new lead whose `attribute` is `value` lands in the partition (the
    rule of the lowest position that matches wins)."""
    session.add(AssignmentRule(position=position, attr_name=attribute, value=value, partition_id=partition_id))


def assignment_rules(session: Session) -> list[AssignmentRule]:
    """Every lead partition rule, in the order they are tried."""
    return list(session.scalars(select(AssignmentRule).order_by(AssignmentRule.position)))


def set_lead_field(session: Session, name: str, display_name: str, data_type: str, size: int | None) -> None:
    """The custom lead field `name`, added or replaced."""
    session.merge(LeadField(name=name, display_name=display_name, data_type=data_type, size=size, is_custom=True))


def lead_fields(session: Session, by_name: bool = False) -> list[LeadField]:
    """Every custom lead field; `by_name`: in the order of their names (as the database sorts them)."""
    query = select(LeadField)
    return list(session.scalars(query.order_by(LeadField.name) if by_name else query))
