"""Lead operations: syncLead, getLead, syncMultipleLeads, getMultipleLeads, mergeLeads,
listOperation, getLeadActivity, getLeadChanges."""

from __future__ import annotations

from mockmkto.domain import leads
from mockmkto.soap import types as T
from mockmkto.soap.protocol import NIL, nil_if_none
from mockmkto.soap.service import CallContext, MktowsService, not_implemented, operation


def lead_record(view: leads.LeadView) -> T.LeadRecord:
    return T.LeadRecord(
        Id=view.id,
        Email=nil_if_none(view.email),
        ForeignSysPersonId=nil_if_none(view.foreign_sys_person_id),
        ForeignSysType=nil_if_none(view.foreign_sys_type),
        leadAttributeList=T.ArrayOfAttribute(
            attribute=[T.Attribute(attrName=a.name, attrType=a.data_type, attrValue=a.value) for a in view.attributes]
        ),
    )


def lead_input(record) -> leads.LeadInput | None:
    if record is None:
        return None
    attributes = record.leadAttributeList.attribute if record.leadAttributeList is not None else None
    return leads.LeadInput(
        id=record.Id,
        email=record.Email,
        foreign_sys_person_id=record.ForeignSysPersonId,
        foreign_sys_type=record.ForeignSysType,
        attributes=[(a.attrName, a.attrValue) for a in attributes or ()],
    )


class LeadService(MktowsService):
    @operation("syncLead")
    def syncLead(ctx, params):
        call: CallContext = ctx.udc
        result = leads.sync_lead(
            call.session,
            call.clock,
            lead_input(params.leadRecord),
            marketo_cookie=params.marketoCookie,
            target_workspace=call.target_workspace,
            return_lead=bool(params.returnLead),
            move_cookie=bool(params.moveCookie),
        )
        return T.SuccessSyncLead(
            result=T.ResultSyncLead(
                leadId=result.lead_id,
                syncStatus=T.SyncStatus(leadId=result.lead_id, status=result.status, error=NIL),
                leadRecord=lead_record(result.lead) if result.lead is not None else NIL,
            )
        )

    @operation("getLead")
    def getLead(ctx, params):
        call: CallContext = ctx.udc
        key = params.leadKey
        views = leads.get_leads(call.session, key.keyType if key else None, key.keyValue if key else None)
        return T.SuccessGetLead(
            result=T.ResultGetLead(
                count=len(views), leadRecordList=T.ArrayOfLeadRecord(leadRecord=[lead_record(v) for v in views])
            )
        )

    syncMultipleLeads = not_implemented("syncMultipleLeads")
    getMultipleLeads = not_implemented("getMultipleLeads")
    mergeLeads = not_implemented("mergeLeads")
    listOperation = not_implemented("listOperation")
    getLeadActivity = not_implemented("getLeadActivity")
    getLeadChanges = not_implemented("getLeadChanges")
