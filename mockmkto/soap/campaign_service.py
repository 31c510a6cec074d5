"""Campaign and import operations: getCampaignsForSource, requestCampaign, scheduleCampaign,
importToList, getImportToListStatus."""

from __future__ import annotations

from mockmkto.domain import campaigns, imports
from mockmkto.soap import types as T
from mockmkto.soap.service import CallContext, MktowsService, operation


def attribs(array) -> list[tuple[str | None, str | None]] | None:
    """An ArrayOfAttrib as (name, value) pairs, or None when the element was not sent."""
    if array is None:
        return None
    return [(a.name, a.value) for a in array.attrib or () if a is not None]


def lead_keys(array) -> list[tuple[str | None, str | None]] | None:
    if array is None:
        return None
    return [(k.keyType, k.keyValue) for k in array.leadKey or () if k is not None]


class CampaignService(MktowsService):
    @operation("getCampaignsForSource")
    def getCampaignsForSource(ctx, params):
        call: CallContext = ctx.udc
        records = campaigns.campaigns_for_source(
            call.session, call.clock, params.source, params.name, bool(params.exactName)
        )
        return T.SuccessGetCampaignsForSource(
            result=T.ResultGetCampaignsForSource(
                returnCount=len(records),
                campaignRecordList=T.ArrayOfCampaignRecord(
                    campaignRecord=[T.CampaignRecord(id=r.id, name=r.name, description=r.description) for r in records]
                ),
            )
        )

    @operation("requestCampaign")
    def requestCampaign(ctx, params):
        call: CallContext = ctx.udc
        campaigns.request_campaign(
            call.session,
            call.clock,
            params.source,
            lead_keys(params.leadList),
            campaign_id=params.campaignId,
            program_name=params.programName,
            campaign_name=params.campaignName,
            tokens=attribs(params.programTokenList),
        )
        return T.SuccessRequestCampaign(result=T.ResultRequestCampaign(success=True))

    @operation("scheduleCampaign")
    def scheduleCampaign(ctx, params):
        call: CallContext = ctx.udc
        campaigns.schedule_campaign(
            call.session,
            call.clock,
            params.programName,
            params.campaignName,
            run_at=params.campaignRunAt,
            tokens=attribs(params.programTokenList),
            clone_to_program_name=params.cloneToProgramName,
        )
        return T.SuccessScheduleCampaign(result=T.ResultScheduleCampaign(success=True))

    @operation("importToList")
    def importToList(ctx, params):
        call: CallContext = ctx.udc
        rows = params.importFileRows
        status = imports.import_to_list(
            call.session,
            call.clock,
            params.programName,
            params.listName,
            params.importFileHeader,
            [item or "" for item in rows.stringItem or ()] if rows is not None else None,
            params.importListMode,
            clear_list=bool(params.clearList),
            campaign_name=params.campaignName,
        )
        _wake_if_waiting(call, status)
        return T.SuccessImportToList(result=T.ResultImportToList(importStatus=status.status))

    @operation("getImportToListStatus")
    def getImportToListStatus(ctx, params):
        call: CallContext = ctx.udc
        status = imports.import_status(call.session, call.clock, params.programName, params.listName)
        # Rows another process left (it may have stopped) are this process's worker's too.
        _wake_if_waiting(call, status)
        return T.SuccessGetImportToListStatus(
            result=T.ResultGetImportToListStatus(
                status=status.status,
                startedTime=status.started_at,
                endedTime=status.ended_at,
                estimatedTime=status.estimated_seconds,
                estimatedRows=status.estimated_rows,
                rowsImported=status.rows_imported,
                rowsFailed=status.rows_failed,
                rowsIgnored=status.rows_ignored,
                importSummary=status.summary,
            )
        )


def _wake_if_waiting(call: CallContext, status: imports.ImportStatus) -> None:
    """Rows of the import wait: the instance's worker applies them once this call's work is committed."""
    if status.rows_waiting and call.worker is not None:
        call.worker.wake()
