"""Marketo SOAP from Python with zeep: reset the mock, sync a lead, read it back by email.
Exits non-zero on any mismatch."""

import hashlib
import hmac
import os
import sys
import urllib.request
from datetime import UTC, datetime

import zeep

EMAIL = "jane.doe@example.com"
base_url = os.environ["MOCKMKTO_URL"]
user_id = os.environ["MOCKMKTO_USER_ID"]
secret = os.environ["MOCKMKTO_SECRET"]


def authentication() -> dict[str, str]:
    """requestSignature = hex HMAC-SHA1(secret, requestTimestamp + mktowsUserId), signed anew for each call."""
    timestamp = datetime.now(UTC).isoformat(timespec="seconds")
    signature = hmac.new(secret.encode(), (timestamp + user_id).encode(), hashlib.sha1).hexdigest()
    return {"mktowsUserId": user_id, "requestSignature": signature, "requestTimestamp": timestamp}


# Every test starts from a known state: the mock's default seed (the admin API, not SOAP).
urllib.request.urlopen(urllib.request.Request(f"{base_url}/_admin/reset?seed=default", method="POST"))

mktows = zeep.Client(f"{base_url}/soap/mktows/2_6?WSDL").service
synced = mktows.syncLead(
    leadRecord={
        "Email": EMAIL,
        "leadAttributeList": {
            "attribute": [{"attrName": "FirstName", "attrValue": "Jane"}, {"attrName": "LastName", "attrValue": "Doe"}]
        },
    },
    returnLead=False,
    _soapheaders={"authentication": authentication()},
)
print(f"syncLead: lead {synced.leadId} {synced.syncStatus.status}")

found = mktows.getLead(
    leadKey={"keyType": "EMAIL", "keyValue": EMAIL}, _soapheaders={"authentication": authentication()}
)
lead = found.leadRecordList.leadRecord[0]
first_name = next((a.attrValue for a in lead.leadAttributeList.attribute if a.attrName == "FirstName"), None)
print(f"getLead: {lead.Email} FirstName={first_name}")
if first_name != "Jane":
    sys.exit(f"expected FirstName Jane, got {first_name}")
