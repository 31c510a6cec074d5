"""SQLAlchemy 2.x models: the state of one Marketo instance.

Uniqueness that Marketo guarantees (lead Id, ForeignSysPersonId, Munchkin cookie) is a database
constraint, so concurrent requests cannot create twins.

A lead's partition and a list member's list are no foreign keys: the domain finds the partition or
list in the unit of work that writes the reference, and neither is ever deleted (a reset empties
every table). SQLite never checked them; PostgreSQL checked each new lead and each new member with a
query of its own that locks the row it refers to (two for each row an import adds, and every new
lead of every process locking its partition's one row: bench/results.md).

A text a client, seed or admin request gives has no length in the schema (`String()`): SQLite never
holds one to it, and PostgreSQL's would refuse what SQLite keeps. Marketo's own sizes (a lead
field's, a key's) are the domain's rules, the same on every store. Only texts the code itself
writes from a short closed set (a source, a status, a data type) keep a length.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite keeps no offset of its own)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    # Every model here maps a Table of its own (DeclarativeBase allows any FromClause): its insert(),
    # update() and columns.
    __table__: ClassVar[Table]


class User(Base):
    """A Web Services API user: the mktowsUserId and its encryption key."""

    __tablename__ = "users"
    user_id: Mapped[str] = mapped_column(String(), primary_key=True)
    secret: Mapped[str] = mapped_column(String())
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)


class Setting(Base):
    """Instance-wide switches, e.g. whether workspaces are enabled."""

    __tablename__ = "settings"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Workspace(Base):
    __tablename__ = "workspaces"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(), unique=True)
    primary_partition_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Partition(Base):
    __tablename__ = "partitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))


class AssignmentRule(Base):
    """A lead partition assignment rule: leads whose attribute equals value go to the partition."""

    __tablename__ = "assignment_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    attr_name: Mapped[str] = mapped_column(String())
    value: Mapped[str] = mapped_column(Text)
    partition_id: Mapped[int] = mapped_column(ForeignKey("partitions.id"))


class LeadField(Base):
    """A lead field of the lead schema: standard or custom (declared in the seed)."""

    __tablename__ = "lead_fields"
    name: Mapped[str] = mapped_column(String(), primary_key=True)
    display_name: Mapped[str] = mapped_column(String())
    data_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_custom: Mapped[bool] = mapped_column(Boolean, default=False)


class Lead(Base):
    """A person. Attribute values live in one JSON document; lookup keys are mirrored in columns."""

    __tablename__ = "leads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str | None] = mapped_column(String(), index=True, nullable=True)
    foreign_sys_person_id: Mapped[str | None] = mapped_column(String(), nullable=True)
    foreign_sys_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    cookie: Mapped[str | None] = mapped_column(String(), nullable=True)
    sfdc_lead_id: Mapped[str | None] = mapped_column(String(), nullable=True)
    sfdc_contact_id: Mapped[str | None] = mapped_column(String(), nullable=True)
    sfdc_account_id: Mapped[str | None] = mapped_column(String(), nullable=True)
    sfdc_lead_owner_id: Mapped[str | None] = mapped_column(String(), nullable=True)
    sfdc_oppty_id: Mapped[str | None] = mapped_column(String(), nullable=True)
    lead_owner_email: Mapped[str | None] = mapped_column(String(), nullable=True)
    # No foreign key (nor the list's on list_members): see the module's docstring.
    partition_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)


class Activity(Base):
    """One entry of a lead's activity log (NewLead, ChangeDataValue, AddToList, ...)."""

    __tablename__ = "activities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # A lead's activities are read in Id order, some types picked or left out: this index gives them
    # in that order. One on (lead_id, activity_type) as well went unused, and cost every activity
    # written an index entry more (bench/results.md).
    lead_id: Mapped[int] = mapped_column(Integer, index=True)
    activity_type: Mapped[str] = mapped_column(String())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    asset_name: Mapped[str | None] = mapped_column(String(), nullable=True)
    campaign: Mapped[str | None] = mapped_column(String(), nullable=True)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)


class Program(Base):
    __tablename__ = "programs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(), unique=True)
    program_type: Mapped[str] = mapped_column(String(64), default="Default")
    workspace_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tokens: Mapped[dict] = mapped_column(JSON, default=dict)


class Campaign(Base):
    """A smart campaign. `requestable_from` lists the sources of its "Campaign is Requested" trigger."""

    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("program_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String())
    description: Mapped[str] = mapped_column(Text, default="")
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"), nullable=True)
    campaign_type: Mapped[str] = mapped_column(String(16), default="trigger")
    requestable_from: Mapped[list] = mapped_column(JSON, default=list)


class StaticList(Base):
    __tablename__ = "static_lists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String())
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"), nullable=True)


class ListMember(Base):
    __tablename__ = "list_members"
    list_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[int] = mapped_column(Integer, primary_key=True)


# Keys most leads lack (an imported lead has none of them): each is indexed only where it is set, so a
# lead without them is written into 6 fewer indexes (bench/results.md). A lookup by a key's value
# (`=`, `IN`, `= ANY`) still searches its index on both databases, as it implies the key is set.
SPARSE_KEYS = (
    "sfdc_lead_id",
    "sfdc_contact_id",
    "sfdc_account_id",
    "sfdc_lead_owner_id",
    "sfdc_oppty_id",
    "lead_owner_email",
)


# Keys unique to a lead, which most leads lack too: unique where set (revision 0008). Their unique
# constraints held an entry for every lead without the key; an INSERT of 100,000 leads took a third
# less server time without those entries (bench/results.md).
UNIQUE_WHERE_SET = ("foreign_sys_person_id", "cookie")


def _index_where_set(table: Table, keys: tuple[str, ...], unique: bool = False) -> None:
    for key in keys:
        column = table.c[key]
        name = f"{'uq' if unique else 'ix'}_{table.name}_{key}"
        Index(name, column, unique=unique, sqlite_where=column.is_not(None), postgresql_where=column.is_not(None))


_index_where_set(Lead.__table__, SPARSE_KEYS)
_index_where_set(Lead.__table__, UNIQUE_WHERE_SET, unique=True)
