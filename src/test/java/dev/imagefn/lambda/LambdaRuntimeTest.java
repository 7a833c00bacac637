package dev.imagefn.lambda;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Runs only in the Lambda build ({@code -Plambda}): events go through Quarkus's mock Lambda event server and
 * the real Lambda runtime loop to the handler, as on AWS. The Gemini stand-in and S3Proxy have their own
 * ports (the app's port is the mock event server here).
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class LambdaRuntimeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode invoke(String event) throws Exception {
        String body = given().contentType("application/json").body(event).when().post().then().statusCode(200)
                .extract().asString();
        return JSON.readTree(body);
    }

    @Test
    void directInvocationThroughTheLambdaRuntime() throws Exception {
        JsonNode result = invoke("{\"prompt\":\"through the runtime\",\"aspectRatio\":\"1:1\"}");
        assertEquals(1024, result.get("width").asInt());
        String key = result.get("key").asText();
        assertTrue(key.startsWith("generated/"), key);
        assertArrayEquals(LocalStackResource.gemini().lastFinalImages().get(0),
                Files.readAllBytes(LocalStackResource.s3().file("images", key)));
    }

    @Test
    void sqsBatchThroughTheLambdaRuntime() throws Exception {
        String event = "{\"Records\":[{\"messageId\":\"rt-" + System.nanoTime() + "\",\"receiptHandle\":\"r\","
                + "\"body\":\"{\\\"prompt\\\":\\\"queued\\\"}\",\"attributes\":{},\"messageAttributes\":{},"
                + "\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"arn:aws:sqs:eu-west-1:123456789012:q\","
                + "\"awsRegion\":\"eu-west-1\"}]}";
        JsonNode reply = invoke(event);
        assertTrue(reply.get("batchItemFailures").isArray());
        assertEquals(0, reply.get("batchItemFailures").size());
    }
}
