package dev.imagefn.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.RestrictedProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * With an inbound bearer token set: a function URL with IAM auth (its {@code Authorization} header is the SigV4
 * signature AWS verified, and Lambda does not pass it on) is served without the token; every other payload 2.0
 * caller still needs it. Replays the recorded IAM-signed function URL event.
 */
@QuarkusTest
@TestProfile(RestrictedProfile.class)
class SignedCallersTest extends HttpTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    LambdaHandler handler;

    private static ObjectNode recordedSignedPost() throws Exception {
        ObjectNode event = (ObjectNode) JSON.readTree(Path.of(
                "src/test/resources/realworld/events/aws__powertools-lambda-python__function-url-iam.json").toFile());
        event.put("rawPath", "/v1/images");
        event.put("body", "{\"prompt\":\"signed by AWS\",\"imageSize\":\"512\"}");
        event.put("isBase64Encoded", false);
        ((ObjectNode) event.at("/requestContext/http")).put("method", "POST");
        ((ObjectNode) event.get("headers")).remove("authorization");
        return event;
    }

    private JsonNode invoke(JsonNode event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(event)), out,
                new FakeContext(UUID.randomUUID().toString(), System.currentTimeMillis() + 300_000));
        return JSON.readTree(out.toByteArray());
    }

    @Test
    void anIamSignedFunctionUrlCallNeedsNoBearerToken() throws Exception {
        JsonNode reply = invoke(recordedSignedPost());
        assertEquals(200, reply.get("statusCode").asInt(), reply.toString());
        assertEquals(512, JSON.readTree(reply.get("body").asText()).get("width").asInt());
        assertEquals(1, gemini().calls());
    }

    @Test
    void unsignedOrOtherwiseAuthorisedCallersStillNeedTheToken() throws Exception {
        ObjectNode unsigned = recordedSignedPost();
        ((ObjectNode) unsigned.get("requestContext")).putNull("authorizer");
        assertEquals(401, invoke(unsigned).get("statusCode").asInt());
        ObjectNode jwt = recordedSignedPost();
        ((ObjectNode) jwt.get("requestContext")).putObject("authorizer").putObject("jwt").putObject("claims");
        assertEquals(401, invoke(jwt).get("statusCode").asInt());
        ObjectNode withToken = recordedSignedPost();
        ((ObjectNode) withToken.get("requestContext")).putNull("authorizer");
        ((ObjectNode) withToken.get("headers")).put("authorization", "Bearer " + RestrictedProfile.TOKEN);
        assertEquals(200, invoke(withToken).get("statusCode").asInt());
        assertEquals(1, gemini().calls(), "only the call with the token was paid");
    }
}
