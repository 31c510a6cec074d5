// node-soap (npm "soap") against mockmkto: the syncLead of Marketo's seed sample, and a getLead that
// misses. Usage: node syncLead.js syncLead|getLeadMiss, with MARKETO_SOAP_ENDPOINT, MARKETO_USER_ID,
// MARKETO_SECRET_KEY and optionally MARKETO_WSDL (a file: its soap:address is replaced by the endpoint).
// Prints one JSON object on stdout.
'use strict';

const crypto = require('crypto');
const soap = require('soap');

const MKTOWS = 'http://www.marketo.com/mktows/';

function authenticationHeader(userId, secretKey) {
  // W3C timestamp with an offset, as Marketo's samples send it; signed as the seed sample does.
  const requestTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const requestSignature = crypto.createHmac('sha1', secretKey).update(requestTimestamp + userId).digest('hex');
  return { AuthenticationHeader: { mktowsUserId: userId, requestSignature, requestTimestamp } };
}

async function main() {
  const operation = process.argv[2];
  const endpoint = process.env.MARKETO_SOAP_ENDPOINT;
  const wsdl = process.env.MARKETO_WSDL || `${endpoint}?WSDL`;
  const client = await soap.createClientAsync(wsdl);
  client.setEndpoint(endpoint);
  client.addSoapHeader(
    authenticationHeader(process.env.MARKETO_USER_ID, process.env.MARKETO_SECRET_KEY),
    '',
    'tns',
    MKTOWS,
  );

  try {
    let result;
    if (operation === 'syncLead') {
      [result] = await client.syncLeadAsync({
        leadRecord: {
          Email: 'george@jungle.com',
          leadAttributeList: {
            attribute: [
              { attrName: 'FirstName', attrValue: 'George' },
              { attrName: 'LastName', attrValue: 'of the Jungle' },
            ],
          },
        },
        returnLead: true,
      });
    } else if (operation === 'getLeadMiss') {
      [result] = await client.getLeadAsync({ leadKey: { keyType: 'EMAIL', keyValue: 'nobody@jungle.com' } });
    } else {
      throw new Error(`unknown operation ${operation}`);
    }
    console.log(JSON.stringify({ result, request: client.lastRequest }));
  } catch (err) {
    // node-soap rejects a SOAP fault with the parsed envelope in err.root.
    if (!err.root) throw err;
    const fault = err.root.Envelope.Body.Fault;
    console.log(JSON.stringify({ fault, httpStatus: err.response && err.response.status, request: client.lastRequest }));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
