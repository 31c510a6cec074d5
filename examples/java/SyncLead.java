// Marketo SOAP from Java: a JAX-WS client generated from the served WSDL by wsimport (see run.sh).
// Resets the mock, syncs a lead, reads it back by email; exits non-zero on any mismatch.
import com.marketo.mktows.*;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class SyncLead {
    static final String EMAIL = "jane.doe@example.com";

    public static void main(String[] args) throws Exception {
        String baseUrl = System.getenv("MOCKMKTO_URL");
        String userId = System.getenv("MOCKMKTO_USER_ID");
        String secret = System.getenv("MOCKMKTO_SECRET");

        // Every test starts from a known state: the mock's default seed (the admin API, not SOAP).
        HttpRequest reset = HttpRequest.newBuilder(URI.create(baseUrl + "/_admin/reset?seed=default"))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(reset, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("reset answered " + answer.statusCode());
        }

        MktowsPort port = new MktMktowsApiService(new URL(baseUrl + "/soap/mktows/2_6?WSDL")).getMktowsApiSoapPort();
        ObjectFactory factory = new ObjectFactory();

        ArrayOfAttribute attributes = new ArrayOfAttribute();
        attributes.getAttribute().add(attribute("FirstName", "Jane"));
        attributes.getAttribute().add(attribute("LastName", "Doe"));
        LeadRecord lead = new LeadRecord();
        lead.setEmail(factory.createLeadRecordEmail(EMAIL));
        lead.setLeadAttributeList(factory.createLeadRecordLeadAttributeList(attributes));
        ParamsSyncLead sync = new ParamsSyncLead();
        sync.setLeadRecord(lead);
        sync.setReturnLead(false);
        SuccessSyncLead synced = port.syncLead(sync, authentication(userId, secret), null);
        System.out.println("syncLead: lead " + synced.getResult().getLeadId() + " "
                + synced.getResult().getSyncStatus().getStatus());

        LeadKey key = new LeadKey();
        key.setKeyType(LeadKeyRef.EMAIL);
        key.setKeyValue(EMAIL);
        ParamsGetLead get = new ParamsGetLead();
        get.setLeadKey(key);
        SuccessGetLead found = port.getLead(get, authentication(userId, secret));
        LeadRecord record = found.getResult().getLeadRecordList().getValue().getLeadRecord().get(0);
        String firstName = record.getLeadAttributeList().getValue().getAttribute().stream()
                .filter(a -> a.getAttrName().equals("FirstName")).map(Attribute::getAttrValue)
                .findFirst().orElse(null);
        System.out.println("getLead: " + record.getEmail().getValue() + " FirstName=" + firstName);
        if (!"Jane".equals(firstName)) {
            System.err.println("expected FirstName Jane, got " + firstName);
            System.exit(1);
        }
    }

    static Attribute attribute(String name, String value) {
        Attribute attribute = new Attribute();
        attribute.setAttrName(name);
        attribute.setAttrValue(value);
        return attribute;
    }

    // requestSignature = hex HMAC-SHA1(secret, requestTimestamp + mktowsUserId), signed anew for each call.
    static AuthenticationHeaderInfo authentication(String userId, String secret) throws Exception {
        String timestamp = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String signature = HexFormat.of().formatHex(mac.doFinal((timestamp + userId).getBytes(StandardCharsets.UTF_8)));
        AuthenticationHeaderInfo header = new AuthenticationHeaderInfo();
        header.setMktowsUserId(userId);
        header.setRequestTimestamp(timestamp);
        header.setRequestSignature(signature);
        return header;
    }
}
