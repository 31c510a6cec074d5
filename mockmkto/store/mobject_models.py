"""Tables of the MObject area: tags and channels, program costs and tags, companies,
opportunities and their person roles, custom object types and records."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mockmkto.store.models import Base, UtcDateTime


class TagType(Base):
    """A program tag type (not a channel) with its allowed values, in the order they were declared."""

    __tablename__ = "tag_types"
    name: Mapped[str] = mapped_column(String(), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    values: Mapped[list] = mapped_column(JSON, default=list)


class Channel(Base):
    """A program channel; `statuses` are its progression statuses: name, step, success, extra attribs."""

    __tablename__ = "channels"
    name: Mapped[str] = mapped_column(String(), primary_key=True)
    statuses: Mapped[list] = mapped_column(JSON, default=list)


class ProgramTag(Base):
    """The value a program has for one tag type; the type "Channel" holds the program's channel."""

    __tablename__ = "program_tags"
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), primary_key=True)
    tag_type: Mapped[str] = mapped_column(String(), primary_key=True)
    value: Mapped[str] = mapped_column(String())


class ProgramCost(Base):
    """One period cost of a program: the month (its first day), an amount and an optional note."""

    __tablename__ = "program_costs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    month: Mapped[date] = mapped_column(Date)
    amount: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class MObjectField(Base):
    """A custom field of an MObject type (Opportunity, OpportunityPersonRole), declared in the seed."""

    __tablename__ = "mobject_fields"
    mobject_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    display_name: Mapped[str] = mapped_column(String())
    data_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Company(Base):
    """A company (account) that opportunities belong to; `attributes` hold its fields, external keys too."""

    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String())
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)


class Opportunity(Base):
    __tablename__ = "opportunities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), nullable=True, index=True)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OpportunityPersonRole(Base):
    """Links a person (lead id) to an opportunity, with the role's own fields in `attributes`."""

    __tablename__ = "opportunity_person_roles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CustomObjectType(Base):
    """A custom object type: key fields (the dedupe key), the lead link, and every field with its type."""

    __tablename__ = "custom_object_types"
    name: Mapped[str] = mapped_column(String(), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    key_fields: Mapped[list] = mapped_column(JSON)
    link_field: Mapped[str] = mapped_column(String())
    lead_link_field: Mapped[str] = mapped_column(String())
    fields: Mapped[list] = mapped_column(JSON)


class CustomObjectRecord(Base):
    """One custom object; `key` is its key values as canonical text, unique within the type."""

    __tablename__ = "custom_object_records"
    __table_args__ = (UniqueConstraint("type_name", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    type_name: Mapped[str] = mapped_column(ForeignKey("custom_object_types.name"), index=True)
    key: Mapped[str] = mapped_column(String())
    keys: Mapped[dict] = mapped_column(JSON)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
