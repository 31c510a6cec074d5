"""syncMultipleLeads reports a bad record in its own syncStatus (FAILED, with its error) and applies
the others; only a request bad as a whole faults the call (spec §8.2, issue 16.2)."""

from __future__ import annotations

from tests.soap import fault_code

GOOD = "<leadRecord><Email>first@example.com</Email></leadRecord>"
ALSO_GOOD = "<leadRecord><Email>last@example.com</Email></leadRecord>"
NOT_FINITE = (
    "<leadRecord><Email>infinite@example.com</Email><leadAttributeList><attribute><attrName>AnnualRevenue</attrName>"
    "<attrValue>Infinity</attrValue></attribute></leadAttributeList></leadRecord>"
)


def sync_multiple(*records: str) -> str:
    records_xml = "".join(records)
    return f"<ns1:paramsSyncMultipleLeads><leadRecordList>{records_xml}</leadRecordList></ns1:paramsSyncMultipleLeads>"


def statuses(root) -> list[tuple[str, str]]:
    """(status, error) of each syncStatus; a nil error reads as ""."""
    return [(s.findtext("status"), s.findtext("error")) for s in root.iter("syncStatus")]


def lead_exists(server, email: str) -> bool:
    key = f"<leadKey><keyType>EMAIL</keyType><keyValue>{email}</keyValue></leadKey>"
    get_lead = f"<ns1:paramsGetLead>{key}</ns1:paramsGetLead>"
    status, root = server.call(get_lead)
    assert status == 200 or fault_code(root) == 20103
    return status == 200


def test_a_bad_record_is_failed_in_its_place_the_others_succeed(server):
    status, root = server.call(sync_multiple(GOOD, NOT_FINITE, ALSO_GOOD))
    assert status == 200
    assert [s for s, _ in statuses(root)] == ["CREATED", "FAILED", "CREATED"]


def test_the_records_around_a_bad_one_are_written(server):
    server.call(sync_multiple(GOOD, NOT_FINITE, ALSO_GOOD))
    assert lead_exists(server, "first@example.com") and lead_exists(server, "last@example.com")


def test_a_failed_record_writes_nothing(server):
    server.call(sync_multiple(GOOD, NOT_FINITE))
    assert not lead_exists(server, "infinite@example.com")


def test_a_failed_record_carries_its_error_and_code(server):
    _, root = server.call(sync_multiple(NOT_FINITE))
    assert statuses(root) == [("FAILED", "Invalid value for field AnnualRevenue (currency): 'Infinity' (20110)")]


def test_a_nil_record_is_failed_in_its_place(server):
    _, root = server.call(sync_multiple(GOOD, '<leadRecord xsi:nil="true"/>', ALSO_GOOD))
    assert statuses(root) == [("CREATED", ""), ("FAILED", "Lead record required (20104)"), ("CREATED", "")]


def test_a_record_with_an_id_that_is_not_an_xs_int_faults_the_call_20012(server):
    """Not a request the schema describes: Marketo's SOAP stack cannot read its records at all."""
    status, root = server.call(sync_multiple(GOOD, "<leadRecord><Id>99999999999999999999</Id></leadRecord>"))
    assert (status, fault_code(root)) == (500, 20012)
