// Marketo SOAP from Node.js with node-soap (npm "soap"): reset the mock, sync a lead, read it back by
// email. Exits non-zero on any mismatch.
'use strict';

const crypto = require('crypto');
const soap = require('soap');

const MKTOWS = 'http://www.marketo.com/mktows/';
const EMAIL = 'jane.doe@example.com';
const { MOCKMKTO_URL, MOCKMKTO_USER_ID, MOCKMKTO_SECRET } = process.env;

// requestSignature = hex HMAC-SHA1(secret, requestTimestamp + mktowsUserId); node-soap calls this
// function for every request, so each call is signed afresh.
function authenticationHeader() {
  const requestTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const requestSignature = crypto
    .createHmac('sha1', MOCKMKTO_SECRET)
    .update(requestTimestamp + MOCKMKTO_USER_ID)
    .digest('hex');
  return { AuthenticationHeader: { mktowsUserId: MOCKMKTO_USER_ID, requestSignature, requestTimestamp } };
}

async function main() {
  // Every test starts from a known state: the mock's default seed (the admin API, not SOAP).
  const reset = await fetch(`${MOCKMKTO_URL}/_admin/reset?seed=default`, { method: 'POST' });
  if (!reset.ok) throw new Error(`reset answered ${reset.status}`);

  const client = await soap.createClientAsync(`${MOCKMKTO_URL}/soap/mktows/2_6?WSDL`);
  client.addSoapHeader(authenticationHeader, '', 'tns', MKTOWS);

  const [synced] = await client.syncLeadAsync({
    leadRecord: {
      Email: EMAIL,
      leadAttributeList: {
        attribute: [
          { attrName: 'FirstName', attrValue: 'Jane' },
          { attrName: 'LastName', attrValue: 'Doe' },
        ],
      },
    },
    returnLead: false,
  });
  console.log(`syncLead: lead ${synced.result.leadId} ${synced.result.syncStatus.status}`);

  const [found] = await client.getLeadAsync({ leadKey: { keyType: 'EMAIL', keyValue: EMAIL } });
  const lead = found.result.leadRecordList.leadRecord[0];
  const firstName = lead.leadAttributeList.attribute.find((a) => a.attrName === 'FirstName')?.attrValue;
  console.log(`getLead: ${lead.Email} FirstName=${firstName}`);
  if (firstName !== 'Jane') throw new Error(`expected FirstName Jane, got ${firstName}`);
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
