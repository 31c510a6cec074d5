# Marketo SOAP from Ruby with soap4r, its driver made from the served WSDL: reset the mock, sync a
# lead, read it back by email. Exits non-zero on any mismatch.
require 'net/http'
require 'openssl'
require 'soap/header/simplehandler'
require 'soap/wsdlDriver'
require 'time'

MKTOWS = 'http://www.marketo.com/mktows/'
EMAIL = 'jane.doe@example.com'
base_url = ENV.fetch('MOCKMKTO_URL')

# requestSignature = hex HMAC-SHA1(secret, requestTimestamp + mktowsUserId); soap4r asks the handler
# for the header on every call, so each call is signed afresh.
class AuthenticationHeader < SOAP::Header::SimpleHandler
  def initialize(user_id, secret)
    super(XSD::QName.new(MKTOWS, 'AuthenticationHeader'))
    @user_id = user_id
    @secret = secret
  end

  def on_simple_outbound
    timestamp = Time.now.utc.iso8601
    { 'mktowsUserId' => @user_id,
      'requestSignature' => OpenSSL::HMAC.hexdigest('SHA1', @secret, timestamp + @user_id),
      'requestTimestamp' => timestamp }
  end
end

# Every test starts from a known state: the mock's default seed (the admin API, not SOAP).
# Net::HTTP labels even an empty body as a form; the admin API takes JSON bodies only.
reset = Net::HTTP.post(URI("#{base_url}/_admin/reset?seed=default"), '', 'Content-Type' => 'application/json')
abort "reset answered #{reset.code}" unless reset.is_a?(Net::HTTPSuccess)

mktows = SOAP::WSDLDriverFactory.new("#{base_url}/soap/mktows/2_6?WSDL").create_rpc_driver
mktows.headerhandler << AuthenticationHeader.new(ENV.fetch('MOCKMKTO_USER_ID'), ENV.fetch('MOCKMKTO_SECRET'))

synced = mktows.syncLead(
  leadRecord: {
    Email: EMAIL,
    # soap4r writes each unset nillable field as xsi:nil, but cannot for an enumeration: give it the nil.
    ForeignSysType: SOAP::SOAPNil.new,
    leadAttributeList: { attribute: [{ attrName: 'FirstName', attrValue: 'Jane' },
                                     { attrName: 'LastName', attrValue: 'Doe' }] }
  },
  returnLead: false
)
puts "syncLead: lead #{synced.result.leadId} #{synced.result.syncStatus.status}"

found = mktows.getLead(leadKey: { keyType: 'EMAIL', keyValue: EMAIL })
# soap4r gives a list of one as the element itself.
lead = [found.result.leadRecordList.leadRecord].flatten.first
first_name = [lead.leadAttributeList.attribute].flatten.find { |a| a.attrName == 'FirstName' }&.attrValue
puts "getLead: #{lead['Email']} FirstName=#{first_name}"
abort "expected FirstName Jane, got #{first_name}" unless first_name == 'Jane'
