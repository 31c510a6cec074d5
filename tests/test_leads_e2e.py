"""Every lead operation end to end: zeep with Marketo's reference WSDL (the served one when the
reference is absent) against the live server, success and fault paths."""

from __future__ import annotations

import pytest

from tests.soap import zeep_fault_code


def test_sync_multiple_leads_reports_each_record(mktows):
    result = mktows.syncMultipleLeads(
        leadRecordList={"leadRecord": [{"Email": "new1@example.com"}, {"Id": 404}, {"Email": "ada@example.com"}]},
        dedupEnabled=True,
    )
    statuses = [(s.status, s.error) for s in result.syncStatus]
    assert statuses[0] == ("CREATED", None)
    assert statuses[1][0] == "FAILED" and "20103" in statuses[1][1]
    assert statuses[2] == ("UPDATED", None)


def test_sync_multiple_leads_over_300_is_fault_20110(mktows):
    records = [{"Email": f"bulk{i}@example.com"} for i in range(301)]
    assert zeep_fault_code(mktows.syncMultipleLeads, leadRecordList={"leadRecord": records}) == 20110


def test_get_lead_counts_duplicates(mktows):
    mktows.syncMultipleLeads(leadRecordList={"leadRecord": [{"Email": "ada@example.com"}]}, dedupEnabled=False)
    result = mktows.getLead(leadKey={"keyType": "EMAIL", "keyValue": "ada@example.com"})
    assert result.count == 2


def test_get_multiple_leads_pages_with_a_lead_key_selector(mktows):
    selector = mktows.type("LeadKeySelector")(keyType="IDNUM", keyValues={"stringItem": ["1", "2", "3"]})
    first = mktows.getMultipleLeads(leadSelector=selector, batchSize=2)
    second = mktows.getMultipleLeads(leadSelector=selector, batchSize=2, streamPosition=first.newStreamPosition)
    assert [r.Id for r in first.leadRecordList.leadRecord] == [1, 2]
    assert (first.remainingCount, second.remainingCount) == (1, 0)
    assert [r.Id for r in second.leadRecordList.leadRecord] == [3]
    assert not second.newStreamPosition


def test_get_multiple_leads_static_list_selector_unknown_list_is_20111(mktows):
    selector = mktows.type("StaticListSelector")(staticListName="Nope")
    assert zeep_fault_code(mktows.getMultipleLeads, leadSelector=selector) == 20111


def test_get_multiple_leads_last_update_range_over_30_days_is_20022(mktows):
    selector = mktows.type("LastUpdateAtSelector")(
        oldestUpdatedAt="2020-01-01T00:00:00Z", latestUpdatedAt="2020-03-01T00:00:00Z"
    )
    assert zeep_fault_code(mktows.getMultipleLeads, leadSelector=selector) == 20022


def test_get_multiple_leads_bad_stream_position_is_20122(mktows):
    selector = mktows.type("LeadKeySelector")(keyType="IDNUM", keyValues={"stringItem": ["1"]})
    assert zeep_fault_code(mktows.getMultipleLeads, leadSelector=selector, streamPosition="not-a-position") == 20122


def test_merge_leads(mktows):
    result = mktows.mergeLeads(
        winningLeadKeyList={"attribute": [{"attrName": "IDNUM", "attrValue": "1"}]},
        losingLeadKeyLists={"keyList": [{"attribute": [{"attrName": "EMAIL", "attrValue": "grace@example.com"}]}]},
        mergeInSales=False,
    )
    status = result  # zeep unwraps result/mergeStatus: both hold one element
    assert (status.winningLeadId, status.losingLeadIdList.integerItem, status.status) == (1, [2], "MERGED")
    assert zeep_fault_code(mktows.getLead, leadKey={"keyType": "IDNUM", "keyValue": "2"}) == 20103


def test_merge_leads_unknown_loser_is_20103(mktows):
    code = zeep_fault_code(
        mktows.mergeLeads,
        winningLeadKeyList={"attribute": [{"attrName": "IDNUM", "attrValue": "1"}]},
        losingLeadKeyLists={"keyList": [{"attribute": [{"attrName": "IDNUM", "attrValue": "404"}]}]},
    )
    assert code == 20103


def test_list_operation_add_then_is_member(mktows):
    list_key = {"keyType": "MKTOLISTNAME", "keyValue": "Registrants"}
    members = {"leadKey": [{"keyType": "IDNUM", "keyValue": "1"}]}
    added = mktows.listOperation(listOperation="ADDTOLIST", listKey=list_key, listMemberList=members, strict=False)
    checked = mktows.listOperation(
        listOperation="ISMEMBEROFLIST",
        listKey=list_key,
        listMemberList={"leadKey": [{"keyType": "IDNUM", "keyValue": "1"}, {"keyType": "IDNUM", "keyValue": "2"}]},
    )
    assert added.success is True
    assert [s.status for s in checked.statusList.leadStatus] == [True, False]
    assert checked.success is False


@pytest.mark.parametrize(
    "list_name, members, strict, code",
    [("Nope", ["1"], False, 20111), ("Registrants", ["1", "404"], True, 20103)],
    ids=["unknown-list", "strict-unknown-lead"],
)
def test_list_operation_faults(mktows, list_name, members, strict, code):
    assert (
        zeep_fault_code(
            mktows.listOperation,
            listOperation="ADDTOLIST",
            listKey={"keyType": "MKTOLISTNAME", "keyValue": list_name},
            listMemberList={"leadKey": [{"keyType": "IDNUM", "keyValue": m} for m in members]},
            strict=strict,
        )
        == code
    )


def test_get_lead_activity_lists_the_lead_history(mktows):
    mktows.syncLead(
        leadRecord={"Id": 1, "leadAttributeList": {"attribute": [{"attrName": "City", "attrValue": "X"}]}},
        returnLead=False,
    )
    result = mktows.getLeadActivity(leadKey={"keyType": "IDNUM", "keyValue": "1"})
    records = result.activityRecordList.activityRecord
    assert [r.activityType for r in records] == ["Change Data Value", "New Lead"]
    attributes = {a.attrName: a.attrValue for a in records[0].activityAttributes.attribute}
    assert attributes["New Value"] == "X"
    assert records[0].mktPersonId == "1"


def test_get_lead_activity_include_and_exclude_is_20110(mktows):
    code = zeep_fault_code(
        mktows.getLeadActivity,
        leadKey={"keyType": "IDNUM", "keyValue": "1"},
        activityFilter={"includeTypes": {"activityType": ["NewLead"]}, "excludeTypes": {"activityType": ["Wait"]}},
    )
    assert code == 20110


def test_get_lead_changes_with_activity_name_filter(mktows):
    mktows.listOperation(
        listOperation="ADDTOLIST",
        listKey={"keyType": "MKTOLISTNAME", "keyValue": "Registrants"},
        listMemberList={"leadKey": [{"keyType": "IDNUM", "keyValue": "3"}]},
    )
    result = mktows.getLeadChanges(
        startPosition={"oldestCreatedAt": "2000-01-01T00:00:00Z"},
        activityNameFilter={"stringItem": ["Add to List"]},
    )
    assert [(r.mktPersonId, r.activityType) for r in result.leadChangeRecordList.leadChangeRecord] == [
        ("3", "Add to List")
    ]
    assert result.newStartPosition.offset.startswith("ID:")


def test_get_lead_changes_without_start_position_fields_is_20109(mktows):
    assert zeep_fault_code(mktows.getLeadChanges, startPosition={}) == 20109
