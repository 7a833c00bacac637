package dev.imagefn.lambda;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * A storage event is a claim: a bucket the pipeline is not configured for is never read, the object's real ETag
 * counts (not the event's), and an object's content never comes back in a reply or a failure record. Every
 * carrier of storage events — S3 notifications, EventBridge, SQS carrying either, Cloud Storage CloudEvents — goes
 * through the same checks.
 */
@QuarkusTest
class StorageEventsTest extends HttpTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRIVATE = "private-hr";

    @Inject
    LambdaHandler handler;

    private JsonNode invoke(String event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out,
                FakeContext.withRemaining(300_000));
        return JSON.readTree(out.toByteArray());
    }

    private static String s3Notification(String bucket, String key, String etag) throws IOException {
        try (InputStream in = StorageEventsTest.class.getResourceAsStream("/events/s3-notification.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("BUCKET", bucket)
                    .replace("\"KEY\"", "\"" + key + "\"").replace("ETAG", etag);
        }
    }

    private void putPrivate(String key, byte[] body) {
        createBucket(PRIVATE);
        s3.putObject(b -> b.bucket(PRIVATE).key(key), RequestBody.fromBytes(body));
    }

    @Test
    void aCloudStorageEventForABucketThePipelineDoesNotHandleIsRefusedUnread() {
        String name = "uploads/" + UUID.randomUUID() + ".png";
        putPrivate(name, TestImages.png(16, 16, 0x223344, 0));
        putPrivate("jobs/payroll.json", "{\"prompt\":\"run me\"}".getBytes(StandardCharsets.UTF_8));
        for (String object : new String[] {name, "jobs/payroll.json"}) {
            given().contentType("application/json").header("ce-specversion", "1.0")
                    .header("ce-id", UUID.randomUUID().toString()).header("ce-source", "//storage.googleapis.com")
                    .header("ce-type", "google.cloud.storage.object.v1.finalized")
                    .body("{\"bucket\":\"" + PRIVATE + "\",\"name\":\"" + object + "\"}").when().post("/").then()
                    .statusCode(200).header("ce-type", "dev.imagefn.image.failed")
                    .body("code", equalTo("REFERENCE_FORBIDDEN"));
        }
        assertEquals(0, gemini().calls(), "nothing of the private bucket reached Gemini");
    }

    @Test
    void s3NotificationsAndQueuedOnesForAnotherBucketNeverReachGemini() throws Exception {
        String name = "uploads/" + UUID.randomUUID() + ".png";
        putPrivate(name, TestImages.png(16, 16, 0x445566, 0));
        Set<String> before = keys();
        invoke(s3Notification(PRIVATE, name, "abc"));
        String queued = "{\"Records\":[{\"messageId\":\"m-" + UUID.randomUUID() + "\",\"receiptHandle\":\"r\","
                + "\"body\":" + JSON.writeValueAsString(s3Notification(PRIVATE, name, "abc"))
                + ",\"attributes\":{},\"messageAttributes\":{},\"eventSource\":\"aws:sqs\","
                + "\"eventSourceARN\":\"arn:aws:sqs:eu-west-1:123456789012:q\",\"awsRegion\":\"eu-west-1\"}]}";
        JsonNode reply = invoke(queued);
        assertEquals(0, reply.get("batchItemFailures").size(), "acknowledged: it will never be a job");
        assertEquals(0, gemini().calls());
        assertEquals(before, keys(), "and no failure records for someone else's bucket");
    }

    @Test
    void madeUpETagsDoNotBuyNewGenerations() throws Exception {
        String key = "uploads/" + UUID.randomUUID() + ".png";
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(TestImages.png(20, 20, 0x886644, 0)));
        String first = null;
        for (String etag : new String[] {"made-up-1", "made-up-2", "made-up-3"}) {
            JsonNode reply = invoke(s3Notification(BUCKET, key, etag));
            String stored = reply.at("/objects/0/key").asText();
            first = first == null ? stored : first;
            assertEquals(first, stored, reply.toString());
        }
        assertEquals(1, gemini().calls(), "the object's real ETag identifies the job");
    }

    @Test
    void aJobFileThatIsNotJsonIsNeverQuoted() throws Exception {
        String key = "jobs/" + UUID.randomUUID() + ".json";
        String secret = "TOP-SECRET salary table: alice 182000";
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString(secret));
        String reply = given().contentType("application/json").header("ce-specversion", "1.0")
                .header("ce-id", UUID.randomUUID().toString()).header("ce-source", "//storage.googleapis.com")
                .header("ce-type", "google.cloud.storage.object.v1.finalized")
                .body("{\"bucket\":\"" + BUCKET + "\",\"name\":\"" + key + "\"}").when().post("/").then()
                .statusCode(200).header("ce-type", "dev.imagefn.image.failed").body("code", equalTo("INVALID_REQUEST"))
                .extract().asString();
        assertFalse(reply.contains("TOP-SECRET") || reply.contains("salary"), reply);
        JsonNode s3Reply = invoke(s3Notification(BUCKET, key, "e"));
        String record = new String(object(s3Reply.at("/objects/0/failureRecord").asText()), StandardCharsets.UTF_8);
        assertTrue(record.contains("INVALID_REQUEST"), record);
        assertFalse(record.contains("TOP-SECRET") || record.contains("salary"), record);
        assertEquals(0, gemini().calls());
    }

    /**
     * A key that is not valid URL encoding (S3 never sends one; a hand-made message can) is refused for good, direct
     * or queued: it used to be an internal error, which a queue delivers again until its dead-letter queue.
     */
    @Test
    void aKeyThatIsNotUrlEncodingIsRefusedNotRedelivered() throws Exception {
        for (String key : new String[] {"jobs/bad%G1.json", "jobs/cut%"}) {
            JsonNode direct = invoke(s3Notification(BUCKET, key, "e"));
            assertEquals("failed", direct.at("/objects/0/status").asText(), direct.toString());
            assertEquals("INVALID_REQUEST", direct.at("/objects/0/code").asText(), direct.toString());
            String queued = "{\"Records\":[{\"messageId\":\"m-" + UUID.randomUUID() + "\",\"receiptHandle\":\"r\","
                    + "\"body\":" + JSON.writeValueAsString(s3Notification(BUCKET, key, "e"))
                    + ",\"attributes\":{},\"messageAttributes\":{},\"eventSource\":\"aws:sqs\","
                    + "\"eventSourceARN\":\"arn:aws:sqs:eu-west-1:123456789012:q\",\"awsRegion\":\"eu-west-1\"}]}";
            JsonNode reply = invoke(queued);
            assertEquals(0, reply.get("batchItemFailures").size(), "refused, not delivered again: " + reply);
        }
        assertEquals(0, gemini().calls());
    }

    @Test
    void anObjectThatIsNotThereIsNotAJob() throws Exception {
        JsonNode reply = invoke(s3Notification(BUCKET, "jobs/" + UUID.randomUUID() + ".json", "e"));
        assertEquals("failed", reply.at("/objects/0/status").asText(), reply.toString());
        assertEquals("REFERENCE_NOT_FOUND", reply.at("/objects/0/code").asText());
        assertEquals(0, gemini().calls());
    }
}
