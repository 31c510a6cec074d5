"""The mktows operations: one @rpc each. Unpack the params, call one domain function, pack the result."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from spyne import Fault, ServiceBase, rpc
from sqlalchemy.orm import Session

from mockmkto.domain import leads, mobjects
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.soap import types as T
from mockmkto.soap.protocol import NIL, nil_if_none

log = logging.getLogger("mockmkto.soap")

# Operations whose binding declares MktowsContextHeader as well as AuthenticationHeader.
CONTEXT_HEADER_OPERATIONS = {"syncLead"}


@dataclass
class CallContext:
    """What an operation works with: one transaction, the clock, the caller and the raw headers."""

    session: Session
    clock: Clock
    user_id: str
    header_doc: list | None
    target_workspace: str | None


class MarketoFault(Fault):
    """Carries a domain MarketoError through Spyne's call machinery to the server."""

    def __init__(self, error: MarketoError):
        super().__init__("Client", error.faultstring)
        self.error = error


def operation(name: str):
    """@rpc with Marketo's message names: paramsX in, successX out, document/literal bare."""
    params, success = T.OPERATIONS[name]
    headers = (T.AuthenticationHeaderInfo,)
    if name in CONTEXT_HEADER_OPERATIONS:
        headers += (T.MktowsContextHeaderInfo,)
    cap = name[0].upper() + name[1:]
    names = dict(_in_message_name=f"params{cap}", _out_message_name=f"success{cap}", _in_header=headers)
    if not params._type_info:
        # Spyne's bare style refuses an empty params type (paramsListMObjects): wrap the nothing.
        return rpc(_returns=success, _body_style="out_bare", **names)
    return rpc(params, _returns=success, _body_style="bare", **names)


def not_implemented(name: str):
    def handler(ctx, params):
        raise MarketoError(20019, f"{name}: not implemented by mockmkto yet")

    handler.__name__ = handler.__qualname__ = name
    return operation(name)(handler)


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


class MktowsService(ServiceBase):
    @classmethod
    def call_wrapper(cls, ctx):
        try:
            return super().call_wrapper(ctx)
        except MarketoError as error:
            raise MarketoFault(error) from None
        except Exception:
            log.exception("operation failed")
            raise

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

    @operation("listMObjects")
    def listMObjects(ctx):
        return T.SuccessListMObjects(result=T.ResultListMObjects(objects=list(mobjects.DESCRIBABLE_TYPES)))

    deleteMObjects = not_implemented("deleteMObjects")
    describeMObject = not_implemented("describeMObject")
    getMObjects = not_implemented("getMObjects")
    syncMObjects = not_implemented("syncMObjects")
    getCampaignsForSource = not_implemented("getCampaignsForSource")
    getImportToListStatus = not_implemented("getImportToListStatus")
    getLeadActivity = not_implemented("getLeadActivity")
    getLeadChanges = not_implemented("getLeadChanges")
    getMultipleLeads = not_implemented("getMultipleLeads")
    importToList = not_implemented("importToList")
    listOperation = not_implemented("listOperation")
    requestCampaign = not_implemented("requestCampaign")
    scheduleCampaign = not_implemented("scheduleCampaign")
    syncMultipleLeads = not_implemented("syncMultipleLeads")
    syncCustomObjects = not_implemented("syncCustomObjects")
    deleteCustomObjects = not_implemented("deleteCustomObjects")
    getCustomObjects = not_implemented("getCustomObjects")
    mergeLeads = not_implemented("mergeLeads")
    getChannels = not_implemented("getChannels")
    getTags = not_implemented("getTags")
