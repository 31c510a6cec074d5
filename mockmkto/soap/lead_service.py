"""Lead operations: syncLead, getLead, syncMultipleLeads, getMultipleLeads, mergeLeads,
listOperation, getLeadActivity, getLeadChanges."""

from __future__ import annotations

from itertools import chain

from lxml import etree
from spyne.protocol.xml import NIL_ATTR

from mockmkto.domain import activities, lead_merge, lead_selectors, lead_views, leads, lists
from mockmkto.soap import types as T
from mockmkto.soap.service import CallContext, MktowsService, operation

SubElement = etree.SubElement


def write_lead_record(view: lead_views.LeadView, parent: etree._Element, tag: str) -> None:
    """A LeadRecord written straight from the domain's view: a getMultipleLeads page holds
    thousands of attributes, and no Spyne object is made for any of them. What it writes is what
    Spyne writes for the same T.LeadRecord (tests/test_protocol_plans.py)."""
    record = SubElement(parent, tag)
    SubElement(record, "Id").text = str(view.id)
    text_or_nil(record, "Email", view.email)
    text_or_nil(record, "ForeignSysPersonId", view.foreign_sys_person_id)
    text_or_nil(record, "ForeignSysType", view.foreign_sys_type)
    attributes = SubElement(record, "leadAttributeList")
    for name, data_type, value in view.attributes:
        item = SubElement(attributes, "attribute")
        if name is None or data_type is None or value is None:
            text_or_nil(item, "attrName", name)
            text_or_nil(item, "attrType", data_type)
            text_or_nil(item, "attrValue", value)
        else:  # the common case, without a call per value
            SubElement(item, "attrName").text = name
            SubElement(item, "attrType").text = data_type
            SubElement(item, "attrValue").text = value


def text_or_nil(parent: etree._Element, tag: str, value: str | None) -> None:
    if value is None:
        SubElement(parent, tag, NIL_ATTR)
    else:
        SubElement(parent, tag).text = value


def lead_records_markup(views: list[lead_views.LeadView], tag: str) -> str | None:
    """A list of LeadRecords (a getMultipleLeads page holds up to 1,000) as lxml writes the
    elements `write_lead_record` makes, for the protocol to splice into the answer: an element
    per value cost three times as much. None for a qualified tag (Spyne's names are not)."""
    name = tag[2:] if tag.startswith("{}") else tag
    if "{" in name:
        return None
    return "".join([_lead_record_markup(view, name) for view in views])


def _lead_record_markup(view: lead_views.LeadView, tag: str) -> str:
    attributes = view.attributes
    try:
        texts = "".join(chain.from_iterable(attributes))  # a TypeError when one is None (a nil)
        plain = not ("&" in texts or "<" in texts or ">" in texts or "\r" in texts)
    except TypeError:
        plain = False
    if not attributes:
        items = "<leadAttributeList/>"
    else:
        if plain:  # the common case: no value needs a call of its own
            rows = [
                f"<attribute><attrName>{name}</attrName><attrType>{data_type}</attrType>"
                f"<attrValue>{value}</attrValue></attribute>"
                for name, data_type, value in attributes
            ]
        else:
            rows = [
                f"<attribute>{_element('attrName', name)}{_element('attrType', data_type)}"
                f"{_element('attrValue', value)}</attribute>"
                for name, data_type, value in attributes
            ]
        items = f"<leadAttributeList>{''.join(rows)}</leadAttributeList>"
    return (
        f"<{tag}><Id>{view.id}</Id>{_element('Email', view.email)}"
        f"{_element('ForeignSysPersonId', view.foreign_sys_person_id)}"
        f"{_element('ForeignSysType', view.foreign_sys_type)}{items}</{tag}>"
    )


def _element(tag: str, value: str | None) -> str:
    """An element with the text `value`, or nil, as lxml writes it."""
    if value is None:
        return f'<{tag} xsi:nil="true"/>'
    if "&" in value or "<" in value or ">" in value or "\r" in value:
        # Escaped as lxml escapes a text, CR included.
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return f"<{tag}>{value}</{tag}>"


DIRECT_WRITERS = {T.LeadRecord: (lead_views.LeadView, write_lead_record, lead_records_markup)}


def strings(array, item: str = "stringItem") -> list[str] | None:
    """The items of an ArrayOfString-like element, or None when it was not sent."""
    if array is None:
        return None
    return [value for value in getattr(array, item) or () if value is not None]


def key_pairs(array) -> list[tuple[str | None, str | None]]:
    """mergeLeads key lists: attributes whose attrName is a LeadKeyRef and attrValue its value."""
    if array is None:
        return []
    return [(a.attrName, a.attrValue) for a in array.attribute or () if a is not None]


def lead_selector(selector) -> lead_selectors.LeadSelector | None:
    """The domain selector for the xsi:type the client sent."""
    if isinstance(selector, T.LeadKeySelector):
        return lead_selectors.LeadKeySelector(selector.keyType, strings(selector.keyValues) or [])
    if isinstance(selector, T.StaticListSelector):
        return lead_selectors.StaticListSelector(selector.staticListName, selector.staticListId)
    if isinstance(selector, T.LastUpdateAtSelector):
        return lead_selectors.LastUpdateAtSelector(selector.oldestUpdatedAt, selector.latestUpdatedAt)
    return None


def activity_attributes(activity: activities.ActivityView) -> T.ArrayOfAttribute:
    return T.ArrayOfAttribute(
        attribute=[T.Attribute(attrName=name, attrType=None, attrValue=value) for name, value in activity.attributes]
    )


def stream_position(page: activities.ActivityPage) -> T.StreamPosition:
    return T.StreamPosition(
        latestCreatedAt=page.latest_created_at,
        oldestCreatedAt=page.oldest_created_at,
        activityCreatedAt=page.activity_created_at,
        offset=page.offset,
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
        attributes=[(a.attrName, a.attrValue) for a in attributes or () if a is not None],
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
                syncStatus=T.SyncStatus(leadId=result.lead_id, status=result.status, error=None),
                leadRecord=result.lead,
            )
        )

    @operation("getLead")
    def getLead(ctx, params):
        call: CallContext = ctx.udc
        key = params.leadKey
        views = lead_views.get_leads(call.session, key.keyType if key else None, key.keyValue if key else None)
        return T.SuccessGetLead(
            result=T.ResultGetLead(count=len(views), leadRecordList=T.ArrayOfLeadRecord(leadRecord=views))
        )

    @operation("syncMultipleLeads")
    def syncMultipleLeads(ctx, params):
        call: CallContext = ctx.udc
        records = params.leadRecordList.leadRecord if params.leadRecordList is not None else None
        results = leads.sync_multiple_leads(
            call.session, call.clock, [lead_input(r) for r in records or ()], params.dedupEnabled
        )
        statuses = [T.SyncStatus(leadId=r.lead_id, status=r.status, error=r.error) for r in results]
        return T.SuccessSyncMultipleLeads(
            result=T.ResultSyncMultipleLeads(syncStatusList=T.ArrayOfSyncStatus(syncStatus=statuses))
        )

    @operation("getMultipleLeads")
    def getMultipleLeads(ctx, params):
        call: CallContext = ctx.udc
        page = lead_selectors.get_multiple_leads(
            call.session,
            call.clock,
            lead_selector(params.leadSelector),
            params.lastUpdatedAt,
            params.streamPosition,
            params.batchSize,
            strings(params.includeAttributes),
        )
        return T.SuccessGetMultipleLeads(
            result=T.ResultGetMultipleLeads(
                returnCount=page.return_count,
                remainingCount=page.remaining_count,
                newStreamPosition=page.new_stream_position,
                leadRecordList=T.ArrayOfLeadRecord(leadRecord=page.leads),
            )
        )

    @operation("mergeLeads")
    def mergeLeads(ctx, params):
        call: CallContext = ctx.udc
        losing = params.losingLeadKeyLists.keyList if params.losingLeadKeyLists is not None else None
        merged = lead_merge.merge_leads(
            call.session,
            call.clock,
            key_pairs(params.winningLeadKeyList),
            [key_pairs(keys) for keys in losing or ()],
        )
        return T.SuccessMergeLeads(
            result=T.ResultMergeLeads(
                mergeStatus=T.MergeStatus(
                    winningLeadId=merged.winning_lead_id,
                    losingLeadIdList=T.ArrayOfInteger(integerItem=merged.losing_lead_ids),
                    status="MERGED",
                )
            )
        )

    @operation("listOperation")
    def listOperation(ctx, params):
        call: CallContext = ctx.udc
        keys = params.listMemberList.leadKey if params.listMemberList is not None else None
        outcome = lists.list_operation(
            call.session,
            call.clock,
            params.listOperation,
            params.listKey.keyType if params.listKey else None,
            params.listKey.keyValue if params.listKey else None,
            [(k.keyType, k.keyValue) for k in keys or () if k is not None],
            params.strict,
        )
        statuses = [
            T.LeadStatus(leadKey=T.LeadKey(keyType=s.key_type, keyValue=s.key_value), status=s.status)
            for s in outcome.statuses
        ]
        return T.SuccessListOperation(
            result=T.ResultListOperation(success=outcome.success, statusList=T.ArrayOfLeadStatus(leadStatus=statuses))
        )

    @operation("getLeadActivity")
    def getLeadActivity(ctx, params):
        call: CallContext = ctx.udc
        key = params.leadKey
        lead = lead_views.get_leads(call.session, key.keyType if key else None, key.keyValue if key else None)[0]
        types = params.activityFilter
        page = activities.lead_activity(
            call.session,
            lead.id,
            strings(types.includeTypes, "activityType") if types else None,
            strings(types.excludeTypes, "activityType") if types else None,
            params.startPosition.offset if params.startPosition else None,
            params.batchSize,
        )
        records = [
            T.ActivityRecord(
                id=a.id,
                activityDateTime=a.created_at,
                activityType=a.display_name,
                mktgAssetName=a.asset_name or "",
                activityAttributes=activity_attributes(a),
                campaign=a.campaign,
                personName=a.person_name,
                mktPersonId=str(a.lead_id),
            )
            for a in page.activities
        ]
        return T.SuccessGetLeadActivity(
            leadActivityList=T.LeadActivityList(
                returnCount=page.return_count,
                remainingCount=page.remaining_count,
                newStartPosition=stream_position(page),
                activityRecordList=T.ArrayOfActivityRecord(activityRecord=records),
            )
        )

    @operation("getLeadChanges")
    def getLeadChanges(ctx, params):
        call: CallContext = ctx.udc
        start = params.startPosition
        types = params.activityFilter
        selector = lead_selector(params.leadSelector)
        page = activities.lead_changes(
            call.session,
            start.oldestCreatedAt if start else None,
            start.latestCreatedAt if start else None,
            start.offset if start else None,
            strings(types.includeTypes, "activityType") if types else None,
            strings(types.excludeTypes, "activityType") if types else None,
            strings(params.activityNameFilter),
            params.batchSize,
            lead_selectors.selected_lead_ids(call.session, call.clock, selector, strict_key_limit=True)
            if selector
            else None,
        )
        records = [
            T.LeadChangeRecord(
                id=a.id,
                activityDateTime=a.created_at,
                activityType=a.display_name,
                mktgAssetName=a.asset_name,
                activityAttributes=activity_attributes(a),
                campaign=a.campaign,
                mktPersonId=str(a.lead_id),
            )
            for a in page.activities
        ]
        return T.SuccessGetLeadChanges(
            result=T.ResultGetLeadChanges(
                returnCount=page.return_count,
                remainingCount=page.remaining_count,
                newStartPosition=stream_position(page),
                leadChangeRecordList=T.ArrayOfLeadChangeRecord(leadChangeRecord=records),
            )
        )
