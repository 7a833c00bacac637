package dev.imagefn.lambda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import dev.imagefn.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The Lambda handler with the real event shapes of API Gateway v1/v2, function URLs, SQS, S3 and
 * EventBridge, on S3Proxy and the Gemini stand-in. The handler is invoked as the Lambda runtime invokes it.
 */
@QuarkusTest
class LambdaHandlerTest extends HttpTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    LambdaHandler handler;

    private static String fixture(String name) throws IOException {
        try (InputStream in = LambdaHandlerTest.class.getResourceAsStream("/events/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private JsonNode invoke(String event) throws IOException {
        return invokeAs(UUID.randomUUID().toString(), event);
    }

    private static String jsonString(String s) throws IOException {
        return JSON.writeValueAsString(s);
    }

    @Test
    void apiGatewayRestProxyEvent() throws Exception {
        JsonNode reply = invoke(fixture("apigw-v1.json"));
        assertEquals(200, reply.get("statusCode").asInt());
        assertEquals("application/json", reply.at("/headers/Content-Type").asText());
        assertEquals("apigw-v1-req", reply.at("/headers/X-Request-Id").asText());
        JsonNode result = JSON.readTree(reply.get("body").asText());
        assertEquals(1200, result.get("width").asInt());
        assertArrayEquals(gemini().lastFinalImages().get(0), object(result.get("key").asText()));
    }

    @Test
    void restApiBehindACustomDomainBasePath() throws Exception {
        JsonNode reply = invoke(fixture("apigw-v1.json").replace("\"path\": \"/v1/images\"", "\"path\": \"/imagefn/v1/images\""));
        assertEquals(200, reply.get("statusCode").asInt(), reply.toString());
    }

    @Test
    void httpApiEventWithStageAndBase64Body() throws Exception {
        String body = Base64.getEncoder().encodeToString("{\"prompt\":\"HTTP API\",\"imageSize\":\"512\"}".getBytes());
        JsonNode reply = invoke(fixture("apigw-v2.json").replace("BODY_BASE64", body));
        assertEquals(200, reply.get("statusCode").asInt(), reply.toString());
        assertEquals(512, JSON.readTree(reply.get("body").asText()).get("width").asInt());
    }

    @Test
    void apiGatewayErrorsAreProblemDocuments() throws Exception {
        JsonNode reply = invoke(fixture("apigw-v1.json").replace("\\\"prompt\\\":\\\"API Gateway REST\\\",", ""));
        assertEquals(400, reply.get("statusCode").asInt());
        assertEquals("application/problem+json", reply.at("/headers/Content-Type").asText());
        assertEquals("INVALID_REQUEST", JSON.readTree(reply.get("body").asText()).get("code").asText());
        JsonNode wrongRoute = invoke(fixture("apigw-v1.json").replace("\"path\": \"/v1/images\"", "\"path\": \"/v2/x\"")
                .replace("\"resourcePath\": \"/v1/images\"", "\"resourcePath\": \"/v2/x\""));
        assertEquals(404, wrongRoute.get("statusCode").asInt());
        JsonNode wrongMethod = invoke(fixture("apigw-v1.json").replace("\"httpMethod\": \"POST\"", "\"httpMethod\": \"GET\""));
        assertEquals(405, wrongMethod.get("statusCode").asInt(), wrongMethod.toString());
        assertEquals("POST", wrongMethod.at("/headers/Allow").asText(), "RFC 9110 §15.5.6");
        assertEquals(0, gemini().calls(), "nothing reached Gemini");
    }

    /** A REST API's greedy resource behind a custom domain's base path: the route is what {proxy+} matched. */
    @Test
    void aRestProxyResourceBehindABasePathRoutesEveryPath() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode event = (com.fasterxml.jackson.databind.node.ObjectNode)
                JSON.readTree(fixture("apigw-v1.json"));
        event.put("resource", "/{proxy+}").put("path", "/imagefn/v1/images/generations")
                .put("body", "{\"prompt\":\"a fox in the snow\"}");
        event.putObject("pathParameters").put("proxy", "v1/images/generations");
        ((com.fasterxml.jackson.databind.node.ObjectNode) event.get("requestContext")).put("resourcePath", "/{proxy+}");
        JsonNode reply = invoke(event.toString());
        assertEquals(200, reply.get("statusCode").asInt(), reply.toString());
        assertTrue(JSON.readTree(reply.get("body").asText()).at("/data/0").isObject(), reply.toString());
    }

    @Test
    void functionUrlCarriesACloudEvent() throws Exception {
        JsonNode reply = invoke(fixture("function-url.json").replace("CE_ID", UUID.randomUUID().toString()));
        assertEquals(200, reply.get("statusCode").asInt(), reply.toString());
        assertEquals("dev.imagefn.image.generated", reply.at("/headers/ce-type").asText());
        String key = JSON.readTree(reply.get("body").asText()).get("key").asText();
        assertEquals(key, reply.at("/headers/ce-subject").asText());
    }

    @Test
    void anOpenAiB64AnswerOverLambdasResponseLimitIsGivenAsAUrlNotAFailureThatPaysAgain() throws Exception {
        JsonNode template = JSON.readTree(fixture("function-url.json"));
        var event = (com.fasterxml.jackson.databind.node.ObjectNode) template.deepCopy();
        event.put("rawPath", "/v1/images/generations");
        ((com.fasterxml.jackson.databind.node.ObjectNode) event.path("requestContext").path("http"))
                .put("path", "/v1/images/generations");
        event.set("headers", JSON.createObjectNode().put("content-type", "application/json"));
        event.put("body", "{\"prompt\":\"a large poster\",\"response_format\":\"b64_json\"}");

        gemini().enqueue(Reply.image().padTo(4_000_000));
        JsonNode small = invoke(event.toString());
        assertEquals(200, small.get("statusCode").asInt(), small.toString());
        JsonNode inline = JSON.readTree(small.get("body").asText());
        assertEquals(4_000_000, Base64.getDecoder().decode(inline.at("/data/0/b64_json").asText()).length);
        assertTrue(small.at("/headers/X-Imagefn-Response-Format").isMissingNode(), small.at("/headers").toString());

        gemini().enqueue(Reply.image().padTo(5_000_000));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.toString().getBytes(StandardCharsets.UTF_8)), out,
                FakeContext.withRemaining(300_000));
        assertTrue(out.size() < 6_291_456, "Lambda refuses a response over 6 MB: " + out.size());
        JsonNode large = JSON.readTree(out.toByteArray());
        assertEquals(200, large.get("statusCode").asInt());
        assertEquals("url", large.at("/headers/X-Imagefn-Response-Format").asText());
        JsonNode answer = JSON.readTree(large.get("body").asText());
        assertTrue(answer.at("/data/0/b64_json").isMissingNode(), answer.toString());
        java.net.URI url = java.net.URI.create(answer.at("/data/0/url").asText());
        byte[] fetched = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(url)
                .build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
        assertEquals(5_000_000, fetched.length, "the presigned url serves the stored image");
        assertEquals(2, gemini().calls());
    }

    @Test
    void directInvocationReturnsTheResultOrFailsWithTheProblem() throws Exception {
        JsonNode result = invoke("{\"prompt\":\"direct\",\"aspectRatio\":\"9:16\"}");
        assertEquals(768, result.get("width").asInt());
        assertArrayEquals(gemini().lastFinalImages().get(0), object(result.get("key").asText()));
        LambdaProblem problem = assertThrows(LambdaProblem.class, () -> invoke("{\"aspectRatio\":\"9:16\"}"));
        JsonNode doc = JSON.readTree(problem.getMessage());
        assertEquals("INVALID_REQUEST", doc.get("code").asText());
        assertEquals(400, doc.get("status").asInt());
        gemini().enqueue(Reply.promptBlocked("SAFETY"));
        assertEquals("CONTENT_BLOCKED", JSON.readTree(assertThrows(LambdaProblem.class,
                () -> invoke("{\"prompt\":\"bad\"}")).getMessage()).get("code").asText());
    }

    @Test
    void aShortFunctionTimeoutStillStartsTheFirstSqsRecords() throws Exception {
        String id = "m-" + UUID.randomUUID();
        String event = "{\"Records\":[{\"messageId\":\"" + id + "\",\"eventSource\":\"aws:sqs\",\"body\":"
                + jsonString("{\"prompt\":\"a 30 s function\",\"imageSize\":\"512\"}") + "}]}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // 30 s left: under the 60 s record-start budget, which then shrinks to half the invocation.
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out,
                FakeContext.withRemaining(30_000));
        JsonNode reply = JSON.readTree(out.toByteArray());
        assertEquals(List.of(), itemFailures(reply), reply.toString());
        assertEquals(1, gemini().calls());
    }

    private JsonNode invokeAs(String requestId, String event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out,
                new FakeContext(requestId, System.currentTimeMillis() + 300_000));
        return JSON.readTree(out.toByteArray());
    }

    @Test
    void lambdasRetryOfAnAsyncInvocationUnderTheSameRequestIdIsNotPaidAgain() throws Exception {
        String failing = "async-" + UUID.randomUUID();
        gemini().enqueue(Reply.finish("NO_IMAGE", null));
        String first = assertThrows(LambdaProblem.class, () -> invokeAs(failing, "{\"prompt\":\"a paid failure\"}"))
                .getMessage();
        String retried = assertThrows(LambdaProblem.class,
                () -> invokeAs(failing, "{\"prompt\":\"a paid failure\"}")).getMessage();
        assertEquals("NO_IMAGE", JSON.readTree(retried).get("code").asText(), retried);
        assertEquals(JSON.readTree(first).get("code"), JSON.readTree(retried).get("code"));
        assertEquals(1, gemini().calls(), "the retry replays the paid failure");

        String ok = "async-" + UUID.randomUUID();
        JsonNode made = invokeAs(ok, "{\"prompt\":\"an async fox\"}");
        JsonNode again = invokeAs(ok, "{\"prompt\":\"an async fox\"}");
        assertEquals(made.get("key"), again.get("key"));
        assertTrue(again.get("reused").asBoolean(), again.toString());
        assertEquals(2, gemini().calls());
        invokeAs("async-" + UUID.randomUUID(), "{\"prompt\":\"an async fox\"}");
        assertEquals(3, gemini().calls(), "another invocation is another job");
    }

    @Test
    void sqsBatchReportsOnlyRetryableFailuresAndRecordsPermanentOnes() throws Exception {
        String ok = "m-ok-" + UUID.randomUUID();
        String permanent = "m-bad-" + UUID.randomUUID();
        String retry = "m-retry-" + UUID.randomUUID();
        Set<String> before = keys();
        String event = fixture("sqs.json")
                .replace("MSG_OK", ok).replace("MSG_PERMANENT", permanent).replace("MSG_RETRY", retry)
                .replace("\"BODY_OK\"", jsonString("{\"prompt\":\"queued fine\"}"))
                .replace("\"BODY_PERMANENT\"", jsonString("{\"prompt\":\"x\",\"aspectRatio\":\"7:3\"}"))
                .replace("\"BODY_RETRY\"", jsonString("{\"prompt\":\"overloaded [stand-in:503]\"}"));
        JsonNode reply = invoke(event);
        assertEquals(List.of(retry), itemFailures(reply));
        Set<String> added = keys();
        added.removeAll(before);
        List<String> failureRecords = added.stream().filter(k -> k.startsWith("generated/failures/")).toList();
        assertEquals(1, failureRecords.size(), added.toString());
        assertTrue(failureRecords.get(0).matches(".*/sqs-" + permanent + "-[0-9a-f]{12}\\.json"), failureRecords.get(0));
        JsonNode record = JSON.readTree(object(failureRecords.get(0)));
        assertEquals("INVALID_REQUEST", record.at("/problem/code").asText());
        assertEquals("{\"prompt\":\"x\",\"aspectRatio\":\"7:3\"}", record.get("message").asText(), "original kept");
        assertEquals(1, added.stream().filter(k -> !k.startsWith("generated/failures/")
                && !k.startsWith("generated/.idempotency/")).count(), "one image");
    }

    @Test
    void sqsAcknowledgesWhatMustNotComeAgainAndRecordsIt() throws Exception {
        String paid = "m-paid-" + UUID.randomUUID();
        String auth = "m-auth-" + UUID.randomUUID();
        gemini().enqueue(Reply.finish("STOP", null));
        JsonNode reply = invoke("{\"Records\":[" + sqsRecord(paid, "{\"prompt\":\"nothing\"}") + "]}");
        assertEquals(List.of(), itemFailures(reply), "a paid failure is not sent back to pay again");
        gemini().enqueue(Reply.error(403, "PERMISSION_DENIED", "API key not valid.", null));
        reply = invoke("{\"Records\":[" + sqsRecord(auth, "{\"prompt\":\"refused\"}") + "]}");
        assertEquals(List.of(), itemFailures(reply), "refused credentials do not end in the DLQ");
        Set<String> records = keys().stream().filter(k -> k.startsWith("generated/failures/")
                && (k.contains(paid) || k.contains(auth))).collect(Collectors.toSet());
        assertEquals(2, records.size(), records.toString());
        int calls = gemini().calls();
        assertEquals(List.of(), itemFailures(invoke("{\"Records\":[" + sqsRecord(paid, "{\"prompt\":\"nothing\"}")
                + "]}")));
        assertEquals(calls, gemini().calls(), "the redelivered message finds its recorded failure");
    }

    @Test
    void sqsRecordsAreNotStartedWithoutEnoughTimeLeft() throws Exception {
        String id = "m-late-" + UUID.randomUUID();
        String event = "{\"Records\":[" + sqsRecord(id, "{\"prompt\":\"too late\"}") + "]}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out,
                FakeContext.withRemaining(8_000));
        assertEquals(List.of(id), itemFailures(JSON.readTree(out.toByteArray())), "back to the queue, unpaid");
        assertEquals(0, gemini().calls());
    }

    @Test
    void aFifoGroupKeepsItsOrderWhenOneOfItsMessagesGoesBack() throws Exception {
        String run = UUID.randomUUID().toString();
        String a1 = "a1-" + run;
        String a2 = "a2-" + run;
        String a3 = "a3-" + run;
        String b1 = "b1-" + run;
        String event = "{\"Records\":[" + fifoRecord(a1, "A", "{\"prompt\":\"first of A\"}") + ","
                + fifoRecord(a2, "A", "{\"prompt\":\"second of A [stand-in:503]\"}") + ","
                + fifoRecord(b1, "B", "{\"prompt\":\"only of B\"}") + ","
                + fifoRecord(a3, "A", "{\"prompt\":\"third of A\"}") + "]}";
        JsonNode reply = invoke(event);
        assertEquals(List.of(a2, a3), itemFailures(reply), "the failed message and the rest of its group go back");
        List<String> prompts = gemini().requests().stream()
                .map(r -> r.json().at("/contents/0/parts/0/text").asText()).toList();
        assertTrue(prompts.contains("first of A") && prompts.contains("only of B"), prompts.toString());
        assertTrue(prompts.stream().noneMatch(t -> t.equals("third of A")), "not paid out of order: " + prompts);
        assertEquals(0, keys().stream().filter(k -> k.contains(a3)).count(), "nothing recorded for it either");
    }

    @Test
    void sqsBodyInAnSnsEnvelopeIsItsMessageAndS3TestEventsAreSkipped() throws Exception {
        JsonNode sns = JSON.readTree(java.nio.file.Path.of(
                "src/test/resources/realworld/events/aws__powertools-lambda-python__sqs-carrying-sns.json").toFile())
                .at("/Records/0");
        JsonNode envelope = JSON.readTree(sns.get("body").asText());
        String id = "m-sns-" + UUID.randomUUID();
        String job = JSON.writeValueAsString(((com.fasterxml.jackson.databind.node.ObjectNode) envelope.deepCopy())
                .put("MessageId", UUID.randomUUID().toString()).put("Message", "{\"prompt\":\"fanned out by SNS\"}"));
        assertEquals(List.of(), itemFailures(invoke("{\"Records\":[" + sqsRecord(id, job) + "]}")));
        assertEquals("fanned out by SNS", gemini().lastRequest().json().at("/contents/0/parts/0/text").asText());
        assertEquals(1, gemini().calls());

        String test = "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Time\":\"2026-12-03T07:00:00.000Z\","
                + "\"Bucket\":\"" + BUCKET + "\",\"RequestId\":\"5582815E1AEA5ADF\",\"HostId\":\"8cLeGAmw\"}";
        String wrapped = JSON.writeValueAsString(((com.fasterxml.jackson.databind.node.ObjectNode) envelope.deepCopy())
                .put("Message", test));
        String bare = "m-test-" + UUID.randomUUID();
        String viaSns = "m-test-sns-" + UUID.randomUUID();
        Set<String> before = keys();
        assertEquals(List.of(), itemFailures(invoke("{\"Records\":[" + sqsRecord(bare, test) + ","
                + sqsRecord(viaSns, wrapped) + "]}")));
        Set<String> added = keys();
        added.removeAll(before);
        assertEquals(Set.of(), added, "a test event is no failed job");
        assertEquals(1, gemini().calls());
    }

    @Test
    void oneSnsNotificationDeliveredTwiceAsTwoMessagesPaysOnce() throws Exception {
        JsonNode envelope = JSON.readTree(JSON.readTree(java.nio.file.Path.of(
                "src/test/resources/realworld/events/aws__powertools-lambda-python__sqs-carrying-sns.json").toFile())
                .at("/Records/0/body").asText());
        String once = JSON.writeValueAsString(((com.fasterxml.jackson.databind.node.ObjectNode) envelope.deepCopy())
                .put("MessageId", UUID.randomUUID().toString()).put("Message", "{\"prompt\":\"one notification\"}"));
        String other = JSON.writeValueAsString(((com.fasterxml.jackson.databind.node.ObjectNode) envelope.deepCopy())
                .put("MessageId", UUID.randomUUID().toString()).put("Message", "{\"prompt\":\"one notification\"}"));
        assertEquals(List.of(), itemFailures(invoke("{\"Records\":[" + sqsRecord("m-" + UUID.randomUUID(), once)
                + "]}")));
        assertEquals(List.of(), itemFailures(invoke("{\"Records\":[" + sqsRecord("m-" + UUID.randomUUID(), once)
                + "]}")));
        assertEquals(1, gemini().calls(), "SNS's second copy of a notification is no new job");
        assertEquals(List.of(), itemFailures(invoke("{\"Records\":[" + sqsRecord("m-" + UUID.randomUUID(), other)
                + "]}")));
        assertEquals(2, gemini().calls(), "another notification with the same message is one");
    }

    @Test
    void eventBridgeEventsOtherThanObjectCreatedAreSkipped() throws Exception {
        JsonNode reply = invoke(s3Event(fixture("eventbridge-object-created.json"), BUCKET, "uploads/x.png", "e")
                .replace("\"Object Created\"", "\"Object Deleted\""));
        assertEquals("skipped", reply.at("/objects/0/status").asText());
        assertEquals(0, gemini().calls());
    }

    @Test
    void sqsRedeliveryPaysOnceAndStructuredCloudEventsWork() throws Exception {
        String id = "m-" + UUID.randomUUID();
        String one = "{\"Records\":[" + sqsRecord(id, "{\"prompt\":\"redelivered\"}") + "]}";
        assertEquals(List.of(), itemFailures(invoke(one)));
        assertEquals(List.of(), itemFailures(invoke(one)));
        assertEquals(1, gemini().calls());
        String ce = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"/sqs\","
                + "\"type\":\"dev.imagefn.image.requested\",\"data\":{\"prompt\":\"structured in SQS\"}}";
        assertEquals(List.of(), itemFailures(invoke("{\"Records\":[" + sqsRecord("m-" + UUID.randomUUID(), ce) + "]}")));
        assertEquals("structured in SQS", gemini().lastRequest().json().at("/contents/0/parts/0/text").asText());
    }

    @Test
    void s3JobFileIsAnEventAndItsRedeliveryPaysOnce() throws Exception {
        String key = "jobs/" + UUID.randomUUID() + ".json";
        String etag = s3.putObject(b -> b.bucket(BUCKET).key(key).contentType("application/json"),
                RequestBody.fromString("{\"prompt\":\"from a job file\",\"aspectRatio\":\"3:2\"}")).eTag();
        String event = s3Event(fixture("s3-notification.json"), BUCKET, key, etag);
        JsonNode first = invoke(event);
        JsonNode second = invoke(event);
        assertEquals("generated", first.at("/objects/0/status").asText(), first.toString());
        assertEquals("reused", second.at("/objects/0/status").asText());
        assertEquals(first.at("/objects/0/key").asText(), second.at("/objects/0/key").asText());
        assertEquals(1, gemini().calls());
        assertArrayEquals(gemini().lastFinalImages().get(0), object(first.at("/objects/0/key").asText()));
    }

    @Test
    void s3UploadIsEditedWithThePipelinePromptOrItsOwn() throws Exception {
        byte[] photo = TestImages.jpeg(40, 30, 0x445566, 0);
        String key = "uploads/" + UUID.randomUUID() + " photo.jpg";
        String etag = s3.putObject(b -> b.bucket(BUCKET).key(key).contentType("image/jpeg")
                .metadata(Map.of("prompt", "make it a watercolor")), RequestBody.fromBytes(photo)).eTag();
        JsonNode reply = invoke(s3Event(fixture("s3-notification.json"), BUCKET,
                java.net.URLEncoder.encode(key, StandardCharsets.UTF_8), etag));
        assertEquals("generated", reply.at("/objects/0/status").asText(), reply.toString());
        JsonNode sent = gemini().lastRequest().json();
        assertEquals("make it a watercolor", sent.at("/contents/0/parts/0/text").asText());
        assertArrayEquals(photo, Base64.getDecoder().decode(sent.at("/contents/0/parts/1/inlineData/data").asText()));
        assertEquals(key, head(reply.at("/objects/0/key").asText()).metadata().get("source-key"));
        invoke(s3Event(fixture("s3-notification.json"), BUCKET, java.net.URLEncoder.encode(key, StandardCharsets.UTF_8),
                etag));
        assertEquals(1, gemini().calls(), "redelivery never pays twice");
    }

    /** S3 returns a non-ASCII metadata value RFC 2047 encoded (S3Proxy keeps what it is given, so it is given that). */
    @Test
    void aNonAsciiPromptInTheUploadsMetadataIsTheRealPrompt() throws Exception {
        byte[] photo = TestImages.jpeg(40, 30, 0x445566, 0);
        String key = "uploads/" + UUID.randomUUID() + ".jpg";
        String encoded = "=?UTF-8?B?" + Base64.getEncoder().encodeToString(
                "Füchse im Schnee".getBytes(StandardCharsets.UTF_8)) + "?=";
        String etag = s3.putObject(b -> b.bucket(BUCKET).key(key).contentType("image/jpeg")
                .metadata(Map.of("prompt", encoded)), RequestBody.fromBytes(photo)).eTag();
        JsonNode reply = invoke(s3Event(fixture("s3-notification.json"), BUCKET, key, etag));
        assertEquals("generated", reply.at("/objects/0/status").asText(), reply.toString());
        assertEquals("Füchse im Schnee", gemini().lastRequest().json().at("/contents/0/parts/0/text").asText());
    }

    @Test
    void eventBridgeObjectCreatedUsesTheConfiguredPrompt() throws Exception {
        byte[] photo = TestImages.png(20, 20, 0x112233, 0);
        String key = "uploads/" + UUID.randomUUID() + ".png";
        String etag = s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(photo)).eTag();
        JsonNode reply = invoke(s3Event(fixture("eventbridge-object-created.json"), BUCKET, key, etag));
        assertEquals("generated", reply.at("/objects/0/status").asText(), reply.toString());
        assertTrue(gemini().lastRequest().json().at("/contents/0/parts/0/text").asText().startsWith("Turn this photo"));
    }

    @Test
    void theFunctionsOwnOutputAndOtherPrefixesAreIgnored() throws Exception {
        JsonNode own = invoke(s3Event(fixture("s3-notification.json"), BUCKET, "generated/2026/11/23/x.png", "e"));
        assertEquals("skipped", own.at("/objects/0/status").asText());
        JsonNode other = invoke(s3Event(fixture("s3-notification.json"), BUCKET, "elsewhere/x.png", "e"));
        assertEquals("skipped", other.at("/objects/0/status").asText());
        assertEquals(0, gemini().calls());
    }

    @Test
    void s3PermanentFailureIsRecordedRetryableFailureFailsTheInvocation() throws Exception {
        String bad = "jobs/" + UUID.randomUUID() + ".json";
        String etag = s3.putObject(b -> b.bucket(BUCKET).key(bad), RequestBody.fromString("{not json")).eTag();
        JsonNode reply = invoke(s3Event(fixture("s3-notification.json"), BUCKET, bad, etag));
        assertEquals("failed", reply.at("/objects/0/status").asText());
        assertTrue(reply.at("/objects/0/failureRecord").asText().startsWith("generated/failures/"));
        String busy = "jobs/" + UUID.randomUUID() + ".json";
        String etag2 = s3.putObject(b -> b.bucket(BUCKET).key(busy),
                RequestBody.fromString("{\"prompt\":\"[stand-in:503]\"}")).eTag();
        LambdaProblem p = assertThrows(LambdaProblem.class,
                () -> invoke(s3Event(fixture("s3-notification.json"), BUCKET, busy, etag2)));
        assertEquals("UPSTREAM_UNAVAILABLE", JSON.readTree(p.getMessage()).get("code").asText());
    }

    private static String s3Event(String template, String bucket, String key, String etag) {
        return template.replace("BUCKET", bucket).replace("\"KEY\"", "\"" + key + "\"")
                .replace("ETAG", etag.replace("\"", ""));
    }

    private static String sqsRecord(String id, String body) throws IOException {
        return "{\"messageId\":\"" + id + "\",\"receiptHandle\":\"r\",\"body\":" + jsonString(body)
                + ",\"attributes\":{},\"messageAttributes\":{},\"eventSource\":\"aws:sqs\","
                + "\"eventSourceARN\":\"arn:aws:sqs:eu-west-1:123456789012:q\",\"awsRegion\":\"eu-west-1\"}";
    }

    private static String fifoRecord(String id, String group, String body) throws IOException {
        return "{\"messageId\":\"" + id + "\",\"receiptHandle\":\"r\",\"body\":" + jsonString(body)
                + ",\"attributes\":{\"MessageGroupId\":\"" + group + "\",\"SequenceNumber\":\"1\","
                + "\"MessageDeduplicationId\":\"" + id + "\"},\"messageAttributes\":{},\"eventSource\":\"aws:sqs\","
                + "\"eventSourceARN\":\"arn:aws:sqs:eu-west-1:123456789012:jobs.fifo\",\"awsRegion\":\"eu-west-1\"}";
    }

    private static List<String> itemFailures(JsonNode reply) {
        List<String> ids = new java.util.ArrayList<>();
        reply.path("batchItemFailures").forEach(n -> ids.add(n.get("itemIdentifier").asText()));
        return ids.stream().sorted().collect(Collectors.toList());
    }
}
