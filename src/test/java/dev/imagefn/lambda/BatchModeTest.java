package dev.imagefn.lambda;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.testing.BatchModeProfile;
import dev.imagefn.testing.GeminiBatchEndpoints;
import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Batch mode end to end: SQS records through the Lambda handler become pending entries in S3Proxy and one batch
 * on the Gemini stand-in's Batch API; scheduled polls (the recorded EventBridge Scheduled Event) and
 * {@code POST /v1/batches:poll} store the results.
 */
@QuarkusTest
@TestProfile(BatchModeProfile.class)
class BatchModeTest extends HttpTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "gemini-3.1-flash-image";

    @Inject
    LambdaHandler handler;

    @Inject
    dev.imagefn.core.batch.BatchGateway gateway;

    private JsonNode invoke(String event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out,
                FakeContext.withRemaining(300_000));
        return JSON.readTree(out.toByteArray());
    }

    private JsonNode scheduledPoll() throws IOException {
        return invoke(Files.readString(Path.of(
                "src/test/resources/realworld/events/aws__aws-lambda-java-libs__eventbridge-scheduled.json")));
    }

    private static String sqsRecord(String id, String body) throws IOException {
        return "{\"messageId\":\"" + id + "\",\"receiptHandle\":\"rh\",\"body\":" + JSON.writeValueAsString(body)
                + ",\"attributes\":{},\"messageAttributes\":{},\"eventSource\":\"aws:sqs\","
                + "\"eventSourceARN\":\"arn:aws:sqs:eu-west-1:123456789012:q\",\"awsRegion\":\"eu-west-1\"}";
    }

    private static GeminiBatchEndpoints batchApi() {
        return gemini().batch();
    }

    private Set<String> under(String area) {
        Set<String> keys = new TreeSet<>();
        s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(BatchModeProfile.PREFIX + area)).contents()
                .forEach(o -> keys.add(o.key()));
        return keys;
    }

    private Set<String> images() {
        Set<String> keys = new TreeSet<>();
        s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(BatchModeProfile.PREFIX)).contents().stream()
                .map(o -> o.key()).filter(k -> k.matches(".*/\\d{4}/\\d{2}/\\d{2}/.*\\.png")).forEach(keys::add);
        return keys;
    }

    private static String state(JsonNode poll, String name) {
        for (JsonNode b : poll.get("batches")) {
            if (b.get("name").asText().equals(name)) {
                return b.get("state").asText();
            }
        }
        return "absent";
    }

    /** Polls until the batch areas hold no running batch (earlier tests' batches are gone with the stand-in). */
    private void drain() throws IOException {
        for (int i = 0; i < 5 && !under(".batches/running/").isEmpty(); i++) {
            batchApi().nextStates("BATCH_STATE_SUCCEEDED");
            scheduledPoll();
        }
    }

    @Test
    void sqsRecordsBecomeOneBatchAndScheduledPollsStoreEachResultOnce() throws Exception {
        drain();
        batchApi().reset();
        Set<String> before = images();
        String a = "m-" + UUID.randomUUID(), b = "m-" + UUID.randomUUID(), bad = "m-" + UUID.randomUUID();
        JsonNode reply = invoke("{\"Records\":[" + sqsRecord(a, "{\"prompt\":\"a batched fox\",\"metadata\":"
                + "{\"team\":\"t1\"}}") + "," + sqsRecord(b, "{\"prompt\":\"a batched hen\",\"imageSize\":\"2K\"}")
                + "," + sqsRecord(bad, "{\"prompt\":\"\"}") + "]}");
        assertEquals(0, reply.get("batchItemFailures").size(), reply.toString());
        assertEquals(0, gemini().calls(), "nothing generated one by one");
        assertEquals(1, batchApi().created());
        GeminiBatchEndpoints.Batch batch = batchApi().batches().getFirst();
        assertEquals(2, batch.requests().size());
        assertTrue(!batch.fileInput(), "small: inline");
        GeminiStandIn.Recorded create = batchApi().requests().getFirst();
        assertEquals("/v1beta/models/" + MODEL + ":batchGenerateContent", create.path());
        assertTrue(create.json().at("/batch/inputConfig/requests/requests").findValuesAsText("imageSize")
                .contains("2K"), create.json().toString());
        assertEquals(2, under(".batches/entries/").size());
        assertTrue(under("failures/").stream().anyMatch(k -> k.contains(bad)), "the invalid job is a failure record");

        JsonNode running = scheduledPoll();
        assertEquals("BATCH_STATE_RUNNING", state(running, batch.name()), running.toString());
        assertEquals(0, running.get("stored").size());

        JsonNode done = scheduledPoll();
        assertEquals("BATCH_STATE_SUCCEEDED", state(done, batch.name()), done.toString());
        assertEquals(2, done.get("stored").size(), done.toString());
        List<String> added = new ArrayList<>(images());
        added.removeAll(before);
        assertEquals(2, added.size());
        for (int i = 0; i < 2; i++) {
            JsonNode stored = done.get("stored").get(i);
            JsonNode request = batch.requests().get(i).getValue();
            assertArrayEquals(GeminiStandIn.imagesFor(MODEL, request, Reply.image()).getLast(),
                    object(stored.get("key").asText()), "exactly the bytes of the batch answer");
            assertTrue(stored.at("/cost/basis").asText().contains("batch (50% of standard)"), stored.toString());
        }
        JsonNode fox = null;
        for (JsonNode stored : done.get("stored")) {
            fox = stored.get("requestId").asText().endsWith(a) ? stored : fox;
        }
        assertEquals("t1", head(fox.get("key").asText()).metadata().get("team"));
        assertEquals(0, new java.math.BigDecimal("0.0335").compareTo(fox.at("/cost/usd").decimalValue()),
                fox.toString());
        assertTrue(under(".batches/entries/").isEmpty());

        JsonNode again = scheduledPoll();
        assertEquals(0, again.get("stored").size(), again.toString());
        assertEquals(2, images().size() - before.size(), "a second poll stores nothing");
        assertEquals(1, batchApi().created(), "and pays nothing");

        JsonNode redelivered = invoke("{\"Records\":[" + sqsRecord(a, "{\"prompt\":\"a batched fox\",\"metadata\":"
                + "{\"team\":\"t1\"}}") + "]}");
        assertEquals(0, redelivered.get("batchItemFailures").size());
        assertEquals(1, batchApi().created(), "a redelivered message is not batched again");
    }

    @Test
    void largeBatchesGoAsAJsonlFileAndResultsComeFromTheResponsesFile() throws Exception {
        drain();
        batchApi().reset();
        String prompt = "a very detailed lighthouse ".repeat(60);
        invoke("{\"Records\":[" + sqsRecord("m-" + UUID.randomUUID(), "{\"prompt\":\"" + prompt + "one\"}") + ","
                + sqsRecord("m-" + UUID.randomUUID(), "{\"prompt\":\"" + prompt + "two\"}") + "]}");
        GeminiBatchEndpoints.Batch batch = batchApi().batches().getFirst();
        assertTrue(batch.fileInput(), "over the inline limit: a JSONL file");
        assertTrue(batchApi().requests().stream().anyMatch(r -> r.path().equals("/upload/v1beta/files")
                && "start".equals(r.header("X-Goog-Upload-Command"))));
        batchApi().script(batch.name(), "BATCH_STATE_SUCCEEDED");
        // REST Assured would send the colon percent-encoded; clients send it as it is.
        String body = given().urlEncodingEnabled(false).when().post("/v1/batches:poll").then().statusCode(200)
                .body("stored", notNullValue()).extract().asString();
        JsonNode done = JSON.readTree(body);
        assertEquals(2, done.get("stored").size(), body);
        assertTrue(batchApi().requests().stream().anyMatch(r -> r.path().startsWith("/download/v1beta/files/out-")
                && "alt=media".equals(r.query())), "results downloaded from the responses file");
        assertArrayEquals(GeminiStandIn.imagesFor(MODEL, batch.requests().get(1).getValue(), Reply.image()).getLast(),
                object(done.at("/stored/1/key").asText()));
    }

    @Test
    void statesSpelledJobStateAreTheSameStates() throws Exception {
        drain();
        batchApi().reset();
        batchApi().spellStatesAsJobStates().nextStates("BATCH_STATE_SUCCEEDED");
        invoke("{\"Records\":[" + sqsRecord("m-" + UUID.randomUUID(), "{\"prompt\":\"a job-state wren\"}") + "]}");
        String name = batchApi().batches().getFirst().name();
        JsonNode done = scheduledPoll();
        assertEquals("BATCH_STATE_SUCCEEDED", state(done, name), done.toString());
        assertEquals(1, done.get("stored").size(), done.toString());
        assertTrue(under(".batches/running/").isEmpty(), "collected, not left running");
    }

    @Test
    void theBatchClientCancelsABatchAtGemini() {
        dev.imagefn.core.Deadline deadline = dev.imagefn.core.Deadline.after(java.time.Duration.ofSeconds(30));
        String name = gateway.submit(MODEL, "imagefn-cancel", List.of(new dev.imagefn.core.batch.BatchGateway.Request(
                "k-1", new dev.imagefn.core.GenerationRequest(MODEL, "a cancelled fox", null, null, List.of(), false,
                        null, false, null))), deadline);
        int before = batchApi().cancelled();
        gateway.cancel(name, deadline);
        assertEquals(before + 1, batchApi().cancelled());
        assertEquals("BATCH_STATE_CANCELLED", gateway.get(name, deadline).state());
        assertTrue(gateway.get(name, deadline).lost(), "its jobs go again, once");
    }

    @Test
    void aBatchForAModelGeminiDoesNotHaveIsModelUnavailable() {
        dev.imagefn.core.Deadline deadline = dev.imagefn.core.Deadline.after(java.time.Duration.ofSeconds(30));
        String retired = "gemini-2.0-flash-preview-image-generation";
        dev.imagefn.core.ImageFnException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.imagefn.core.ImageFnException.class, () -> gateway.submit(retired, "imagefn-gone", List.of(
                        new dev.imagefn.core.batch.BatchGateway.Request("k-1", new dev.imagefn.core.GenerationRequest(
                                retired, "a fox", null, null, List.of(), false, null, false, null))), deadline));
        assertEquals(dev.imagefn.core.ErrorCode.MODEL_UNAVAILABLE, e.code(), e.getMessage());
    }

    @Test
    void theBatchClientFindsABatchByItsDisplayNameAcrossPagesOfGeminisList() {
        batchApi().reset();
        batchApi().listPageCap(2);
        dev.imagefn.core.Deadline deadline = dev.imagefn.core.Deadline.after(java.time.Duration.ofSeconds(30));
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            names.add(gateway.submit(MODEL, "imagefn-find-" + i, List.of(new dev.imagefn.core.batch.BatchGateway
                    .Request("k-" + i, new dev.imagefn.core.GenerationRequest(MODEL, "a listed fox " + i, null, null,
                    List.of(), false, null, false, null))), deadline));
        }
        int before = lists();
        assertEquals(java.util.Optional.of(names.getFirst()), gateway.find("imagefn-find-1", deadline));
        assertEquals(before + 3, lists(), "the oldest is on the third page of two");
        assertEquals(java.util.Optional.of(names.getLast()), gateway.find("imagefn-find-5", deadline));
        assertEquals(java.util.Optional.empty(), gateway.find("imagefn-find-6", deadline));
    }

    private int lists() {
        return (int) batchApi().requests().stream().filter(r -> r.path().equals("/v1beta/batches")).count();
    }

    @Test
    void aCreateWhoseAnswerIsLostLeavesAnIntentNamingTheBatchGeminiMade() throws Exception {
        drain();
        batchApi().reset();
        batchApi().loseCreateAnswers(1);
        JsonNode reply = invoke("{\"Records\":[" + sqsRecord("m-" + UUID.randomUUID(), "{\"prompt\":\"a lost heron\"}")
                + "]}");
        assertEquals(0, reply.get("batchItemFailures").size(), "recorded: the message is done");
        assertEquals(1, batchApi().created());
        Set<String> intents = under(".batches/submitting/");
        assertEquals(1, intents.size(), intents.toString());
        String displayName = batchApi().batches().getFirst().displayName();
        assertTrue(intents.iterator().next().endsWith("/" + displayName + ".json"), intents + " " + displayName);
        assertEquals(java.util.Optional.of(batchApi().batches().getFirst().name()), gateway.find(displayName,
                dev.imagefn.core.Deadline.after(java.time.Duration.ofSeconds(30))));
        scheduledPoll();
        assertEquals(1, batchApi().created(), "not submitted again while its create may be under way");
        for (String area : List.of(".batches/submitting/", ".batches/entries/")) {
            under(area).forEach(k -> s3.deleteObject(b -> b.bucket(BUCKET).key(k)));
        }
    }

    @Test
    void anExpiredBatchGoesAgainOnceThenItsJobsAreFailureRecords() throws Exception {
        drain();
        batchApi().reset();
        String id = "m-" + UUID.randomUUID();
        invoke("{\"Records\":[" + sqsRecord(id, "{\"prompt\":\"an expiring owl\"}") + "]}");
        String first = batchApi().batches().getFirst().name();
        batchApi().script(first, "BATCH_STATE_EXPIRED");
        JsonNode expired = scheduledPoll();
        assertEquals("BATCH_STATE_EXPIRED", state(expired, first), expired.toString());
        assertEquals(2, batchApi().created(), "resubmitted once");
        String second = batchApi().batches().stream().map(GeminiBatchEndpoints.Batch::name)
                .filter(n -> !n.equals(first)).findFirst().orElseThrow();
        batchApi().script(second, "BATCH_STATE_FAILED");
        JsonNode failed = scheduledPoll();
        assertEquals(1, failed.get("failed").size(), failed.toString());
        assertEquals("UPSTREAM_UNAVAILABLE", failed.at("/failed/0/code").asText());
        String record = failed.at("/failed/0/failureRecord").asText();
        assertTrue(record.contains("sqs-" + id), record);
        JsonNode stored = JSON.readTree(object(record));
        assertTrue(stored.get("message").asText().contains("an expiring owl"), stored.toString());
        assertEquals(2, batchApi().created(), "not a third time");
        assertTrue(under(".batches/entries/").isEmpty());
    }

    @Test
    void anUploadIsBatchedAndACloudSchedulerCloudEventPolls() throws Exception {
        drain();
        batchApi().reset();
        String key = "uploads/" + UUID.randomUUID() + ".png";
        s3.putObject(b -> b.bucket(BUCKET).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(
                dev.imagefn.testing.TestImages.png(20, 20, 0x886644, 0)));
        String event;
        try (var in = BatchModeTest.class.getResourceAsStream("/events/s3-notification.json")) {
            event = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("BUCKET", BUCKET)
                    .replace("\"KEY\"", "\"" + key + "\"").replace("ETAG", "e1");
        }
        JsonNode reply = invoke(event);
        assertEquals("skipped", reply.at("/objects/0/status").asText(), reply.toString());
        assertEquals(0, gemini().calls());
        GeminiBatchEndpoints.Batch batch = batchApi().batches().getFirst();
        assertEquals(1, batch.requests().size());
        assertTrue(batch.requests().getFirst().getValue().at("/contents/0/parts/1/inlineData/data").isTextual(),
                "the upload goes with its request");
        batchApi().script(batch.name(), "BATCH_STATE_SUCCEEDED");
        String body = given().urlEncodingEnabled(false).header("ce-specversion", "1.0")
                .header("ce-type", "dev.imagefn.batches.poll").header("ce-source", "//cloudscheduler/imagefn")
                .header("ce-id", "poll-1").contentType("application/json").body("{}").when().post("/").then()
                .statusCode(200).extract().asString();
        JsonNode done = JSON.readTree(body);
        assertEquals(1, done.get("stored").size(), body);
        String stored = done.at("/stored/0/key").asText();
        assertEquals(key, head(stored).metadata().get("source-key"), "the same metadata as a synchronous upload");
    }
}
