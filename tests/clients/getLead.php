<?php
  // A getLead for a lead that does not exist, written like Marketo's syncLead sample (syncLead.php):
  // it prints what a PHP integration reads from the SoapFault, one JSON object on the last line.

  $marketoSoapEndPoint     = getenv("MARKETO_SOAP_ENDPOINT");
  $marketoUserId           = getenv("MARKETO_USER_ID");
  $marketoSecretKey        = getenv("MARKETO_SECRET_KEY");
  $marketoWsdl             = getenv("MARKETO_WSDL") ?: $marketoSoapEndPoint ."?WSDL";
  $marketoNameSpace        = "http://www.marketo.com/mktows/";

  // Create Signature
  $dtzObj = new DateTimeZone("America/Los_Angeles");
  $dtObj  = new DateTime('now', $dtzObj);
  $timeStamp = $dtObj->format(DATE_W3C);
  $encryptString = $timeStamp . $marketoUserId;
  $signature = hash_hmac('sha1', $encryptString, $marketoSecretKey);

  // Create SOAP Header
  $attrs = new stdClass();
  $attrs->mktowsUserId = $marketoUserId;
  $attrs->requestSignature = $signature;
  $attrs->requestTimestamp = $timeStamp;
  $authHdr = new SoapHeader($marketoNameSpace, 'AuthenticationHeader', $attrs);
  $options = array("connection_timeout" => 20, "location" => $marketoSoapEndPoint);

  // Create Request
  $leadKey = new stdClass();
  $leadKey->keyType = "EMAIL";
  $leadKey->keyValue = "nobody@jungle.com";
  $paramsGetLead = new stdClass();
  $paramsGetLead->leadKey = $leadKey;
  $params = array("paramsGetLead" => $paramsGetLead);

  $soapClient = new SoapClient($marketoWsdl, $options);
  try {
    $result = $soapClient->__soapCall('getLead', $params, $options, $authHdr);
    print json_encode(array("result" => $result)) ."\n";
  }
  catch(SoapFault $fault) {
    $exception = $fault->detail->serviceException;
    print json_encode(array(
      "faultcode" => $fault->faultcode,
      "faultstring" => $fault->faultstring,
      "name" => $exception->name,
      "message" => $exception->message,
      "code" => $exception->code,
    )) ."\n";
  }

?>
