import zeep
from zeep.transports import Transport

from mockmkto.domain.auth import sign
from tests.soap import timestamp


def test_zeep_sync_and_get_lead_with_served_wsdl(server):
    client = zeep.Client(server.wsdl_url, transport=Transport(session=server.session))
    stamp = timestamp()
    auth = {
        "mktowsUserId": server.user_id,
        "requestSignature": sign(server.secret, stamp, server.user_id),
        "requestTimestamp": stamp,
    }
    result = client.service.syncLead(
        leadRecord={"Email": "zeep@example.com"}, returnLead=True, _soapheaders={"authentication": auth}
    )
    assert result.syncStatus.status == "CREATED"
    got = client.service.getLead(
        leadKey={"keyType": "EMAIL", "keyValue": "zeep@example.com"}, _soapheaders={"authentication": auth}
    )
    assert got.count == 1
    assert got.leadRecordList.leadRecord[0].Id == result.leadId
