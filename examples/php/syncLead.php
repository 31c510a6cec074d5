<?php
// Marketo SOAP from PHP with SoapClient (ext-soap): reset the mock, sync a lead, read it back by email.
// Exits non-zero on any mismatch.

const MKTOWS = 'http://www.marketo.com/mktows/';
const EMAIL = 'jane.doe@example.com';

$baseUrl = getenv('MOCKMKTO_URL');
$userId = getenv('MOCKMKTO_USER_ID');
$secret = getenv('MOCKMKTO_SECRET');

// requestSignature = hex HMAC-SHA1(secret, requestTimestamp + mktowsUserId), signed anew for each call.
function authenticationHeader(string $userId, string $secret): SoapHeader
{
    $timestamp = date(DATE_W3C);
    return new SoapHeader(MKTOWS, 'AuthenticationHeader', [
        'mktowsUserId' => $userId,
        'requestSignature' => hash_hmac('sha1', $timestamp . $userId, $secret),
        'requestTimestamp' => $timestamp,
    ]);
}

// Every test starts from a known state: the mock's default seed (the admin API, not SOAP).
$reset = stream_context_create(['http' => ['method' => 'POST']]);
if (file_get_contents("$baseUrl/_admin/reset?seed=default", false, $reset) === false) {
    fwrite(STDERR, "reset failed\n");
    exit(1);
}

// SOAP_SINGLE_ELEMENT_ARRAYS: a list of one is still an array (leadRecord, attribute).
$client = new SoapClient("$baseUrl/soap/mktows/2_6?WSDL", ['features' => SOAP_SINGLE_ELEMENT_ARRAYS]);

$synced = $client->__soapCall('syncLead', [[
    'leadRecord' => [
        'Email' => EMAIL,
        'leadAttributeList' => ['attribute' => [
            ['attrName' => 'FirstName', 'attrValue' => 'Jane'],
            ['attrName' => 'LastName', 'attrValue' => 'Doe'],
        ]],
    ],
    'returnLead' => false,
]], null, authenticationHeader($userId, $secret));
echo "syncLead: lead {$synced->result->leadId} {$synced->result->syncStatus->status}\n";

$found = $client->__soapCall('getLead', [[
    'leadKey' => ['keyType' => 'EMAIL', 'keyValue' => EMAIL],
]], null, authenticationHeader($userId, $secret));
$lead = $found->result->leadRecordList->leadRecord[0];
$firstName = null;
foreach ($lead->leadAttributeList->attribute as $attribute) {
    if ($attribute->attrName === 'FirstName') {
        $firstName = $attribute->attrValue;
    }
}
echo "getLead: {$lead->Email} FirstName=$firstName\n";
if ($firstName !== 'Jane') {
    fwrite(STDERR, "expected FirstName Jane, got $firstName\n");
    exit(1);
}
