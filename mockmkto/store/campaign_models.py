"""Tables of the campaign area: smart campaign definitions, campaign runs, program clones and
list imports with the per-lead My Token values they carry.

Times are UtcDateTime: stored in UTC and read back timezone-aware on every database.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mockmkto.store.models import Base, UtcDateTime


class SmartCampaignDefinition(Base):
    """What a smart campaign does beyond its trigger: the static lists its smart list selects
    ("Member of List") and its flow steps (each writes one activity per lead when it runs)."""

    __tablename__ = "smart_campaign_definitions"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    smart_list: Mapped[list] = mapped_column(JSON, default=list)  # static list ids
    flow: Mapped[list] = mapped_column(JSON, default=list)  # [{"activity": ..., "asset": ...}]


# A run's status: waiting for its time, or carried out.
SCHEDULED, COMPLETED = "scheduled", "completed"


class CampaignRun(Base):
    """One run of a smart campaign: requested (requestCampaign) or scheduled (scheduleCampaign)."""

    __tablename__ = "campaign_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # MKTOWS, SALES or SCHEDULE
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    run_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # scheduled, completed
    # The call's programTokenList: kept for this run only, never written to the program.
    tokens: Mapped[dict] = mapped_column(JSON, default=dict)
    # requestCampaign names its leads; a scheduled run takes its smart list's members when it runs.
    requested_lead_ids: Mapped[list | None] = mapped_column(JSON, nullable=True)
    cloned_from_program_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CampaignRunLead(Base):
    """A lead that went through a run, with the My Token values resolved for it."""

    __tablename__ = "campaign_run_leads"
    run_id: Mapped[int] = mapped_column(ForeignKey("campaign_runs.id"), primary_key=True)
    lead_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    tokens: Mapped[dict] = mapped_column(JSON, default=dict)


class ProgramClone(Base):
    """A program made by scheduleCampaign's cloneToProgramName (counted for the daily limit)."""

    __tablename__ = "program_clones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_program_id: Mapped[int] = mapped_column(Integer)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    cloned_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class ListImport(Base):
    """One importToList call. Its rows are applied in chunks (those waiting are `ListImportChunk`s);
    the outcome is reported once they all are and `ends_at` has come."""

    __tablename__ = "list_imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    list_id: Mapped[int] = mapped_column(ForeignKey("static_lists.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    mode: Mapped[str] = mapped_column(String(16))
    clear_list: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # PROCESSING while rows wait, then COMPLETE or FAILED
    rows: Mapped[int] = mapped_column(Integer)
    rows_imported: Mapped[int] = mapped_column(Integer)
    rows_failed: Mapped[int] = mapped_column(Integer)
    rows_ignored: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    # The importFileHeader, read again by each chunk, and the failed rows' reasons so far.
    header: Mapped[str] = mapped_column(Text, default="")
    failures: Mapped[list] = mapped_column(JSON, default=list)


class ListImportChunk(Base):
    """Rows of an import waiting to be applied together: `lines` from row `number` on (rows are
    numbered from 1 in the call's order)."""

    __tablename__ = "list_import_chunks"
    import_id: Mapped[int] = mapped_column(ForeignKey("list_imports.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    lines: Mapped[list] = mapped_column(JSON)


class ImportedLeadTokens(Base):
    """Per-lead My Token values from importToList, used by the next run of the campaign, then discarded."""

    __tablename__ = "imported_lead_tokens"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    lead_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("list_imports.id"))
    tokens: Mapped[dict] = mapped_column(JSON, default=dict)
