"""Workspaces and partitions: the workspace a call names (MktowsContextHeader's targetWorkspace),
and the partition a new lead lands in (lead assignment rules, else the workspace's primary partition)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from mockmkto.domain.errors import MarketoError
from mockmkto.store import account_repository
from mockmkto.store.db import seed_cached
from mockmkto.store.models import Workspace

DEFAULT_WORKSPACE = "Default"


def resolve_workspace(session: Session, name: str | None) -> Workspace | None:
    """The workspace MktowsContextHeader names (case-insensitive); 20110 when there is none."""
    if name is None:
        return None
    wanted = name.strip()
    if not account_repository.workspaces_enabled(session):
        if wanted.lower() != DEFAULT_WORKSPACE.lower():
            raise MarketoError(20110, f"Workspaces are not enabled: target workspace must be Default, not {name}")
    workspace = account_repository.workspace_named(session, wanted)
    if workspace is None and account_repository.workspaces_enabled(session):
        raise MarketoError(20110, f"Unknown workspace {name}")
    return workspace


def new_lead_partition(session: Session, attributes: dict[str, str], workspace: Workspace | None) -> int | None:
    """First matching lead assignment rule, else the named (or Default) workspace's primary partition."""
    return partition_chooser(session, workspace)(attributes)


def partition_chooser(session: Session, workspace: Workspace | None) -> Callable[[dict[str, str]], int | None]:
    """`new_lead_partition` for many new leads: the rules and the workspace are read once (the rules
    and the Default workspace once per seed)."""
    rules = _assignment_rules(session)
    fallback = workspace.primary_partition_id if workspace is not None else default_partition(session)

    def choose(attributes: dict[str, str]) -> int | None:
        for name, value, partition_id in rules:
            if attributes.get(name, "").lower() == value:
                return partition_id
        return fallback

    return choose


def default_partition(session: Session) -> int | None:
    """The Default workspace's primary partition: where a new lead lands when no rule matches and its
    call names no workspace. Only a seed changes it."""

    def build() -> int | None:
        default = account_repository.workspace_named(session, DEFAULT_WORKSPACE)
        return default.primary_partition_id if default is not None else None

    return seed_cached(session, "default_partition", build)


def _assignment_rules(session: Session) -> list[tuple[str, str, int]]:
    """Each lead assignment rule as (attribute, value in lower case, partition), in the order they are
    tried. Only a seed changes them."""
    return seed_cached(
        session,
        "assignment_rules",
        lambda: [(r.attr_name, r.value.lower(), r.partition_id) for r in account_repository.assignment_rules(session)],
    )
