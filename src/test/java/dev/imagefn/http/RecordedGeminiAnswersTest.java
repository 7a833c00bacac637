package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.core.Hashes;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every recorded Gemini answer and error body in src/test/resources/realworld/ (README there), served unchanged by
 * the stand-in to {@code POST /v1/images}: what the caller gets, what is stored, how often Gemini was called.
 * Recordings wrapped by their source (js-genai's {@code interactions}, a converted SSE {@code events} list) are
 * unwrapped to the body Gemini sent.
 */
@QuarkusTest
class RecordedGeminiAnswersTest extends HttpTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What each recording must give: the status, the problem's code (null for an image), the block reason. */
    private record Outcome(int status, String code, String reason) {
        static Outcome image() {
            return new Outcome(200, null, null);
        }

        static Outcome noImage() {
            return new Outcome(502, "NO_IMAGE", null);
        }

        static Outcome blocked(String reason) {
            return new Outcome(422, "CONTENT_BLOCKED", reason);
        }

        static Outcome of(int status, String code) {
            return new Outcome(status, code, null);
        }
    }

    private static final Map<String, Outcome> ANSWERS = Map.ofEntries(
            Map.entry("pydantic-ai__gemini-3-pro-image-text-and-jpeg-thoughtsignatures", Outcome.image()),
            Map.entry("pydantic-ai__gemini-3-pro-image-jpeg-grounding", Outcome.image()),
            Map.entry("pydantic-ai__vertex-gemini-2.5-flash-image-jpeg-only", Outcome.image()),
            Map.entry("vertexai-sdk-test-data__image-only-empty-safety-ratings", Outcome.image()),
            Map.entry("vertexai-sdk-test-data__image-text-empty-part", Outcome.image()),
            Map.entry("js-genai__mldev-final-chunk", Outcome.noImage()),
            Map.entry("js-genai__vertex-final-chunk", Outcome.noImage()),
            Map.entry("js-genai__recording-avglogprobs-no-index", Outcome.noImage()),
            Map.entry("js-genai__recording-no-parts-max-tokens", Outcome.noImage()),
            Map.entry("js-genai__recording-text-max-tokens", Outcome.noImage()),
            Map.entry("js-genai__recording-thought-only-max-tokens", Outcome.noImage()),
            Map.entry("pydantic-ai__gemini-2.5-flash-image-text-only-no-image", Outcome.noImage()),
            Map.entry("pydantic-ai__gemini-3-thought-part-plus-signed-text", Outcome.noImage()),
            Map.entry("pydantic-ai__max-tokens-no-parts-servicetier", Outcome.noImage()),
            Map.entry("vercel-ai__gemini3-text-thoughtsignature", Outcome.noImage()),
            Map.entry("vercel-ai__gemini3-stream-chunks-empty-text-signature", Outcome.noImage()),
            Map.entry("vertexai-sdk-test-data__empty-content-object", Outcome.noImage()),
            Map.entry("vertexai-sdk-test-data__empty-text-part", Outcome.noImage()),
            Map.entry("vertexai-sdk-test-data__finish-other-no-content", Outcome.noImage()),
            Map.entry("vertexai-sdk-test-data__finish-reason-unknown-enum", Outcome.noImage()),
            Map.entry("vertexai-sdk-test-data__malformed-content", Outcome.noImage()),
            Map.entry("vertexai-sdk-test-data__not-a-response", Outcome.noImage()),
            Map.entry("vertexai-sdk-test-data__only-prompt-feedback", Outcome.noImage()),
            Map.entry("vertexai-sdk-test-data__thought-summary-plus-answer", Outcome.noImage()),
            Map.entry("pydantic-ai__finish-safety-content-empty-object", Outcome.blocked("SAFETY")),
            Map.entry("pydantic-ai__vertex-model-armor-prompt-blocked", Outcome.blocked("MODEL_ARMOR")),
            Map.entry("pydantic-ai__vertex-model-armor-response-blocked", Outcome.blocked("MODEL_ARMOR")),
            Map.entry("vercel-ai__synthetic-prompt-blocked-safety", Outcome.blocked("SAFETY")),
            Map.entry("vertexai-sdk-test-data__finish-safety-no-content", Outcome.blocked("SAFETY")),
            Map.entry("vertexai-sdk-test-data__finish-safety-with-text", Outcome.blocked("SAFETY")),
            Map.entry("vertexai-sdk-test-data__prompt-blocked-safety", Outcome.blocked("SAFETY")),
            Map.entry("vertexai-sdk-test-data__prompt-blocked-safety-with-message", Outcome.blocked("SAFETY")),
            Map.entry("vertexai-sdk-test-data__prompt-blocked-unknown-enum", Outcome.blocked("FAKE_NEW_BLOCK_REASON")),
            // vercel/ai's hand-written literals: placeholder base64 that is no image is not delivered as one.
            Map.entry("vercel-ai__synthetic-images-only-two-parts", Outcome.of(502, "UPSTREAM_BAD_RESPONSE")),
            Map.entry("vercel-ai__synthetic-text-image-interleaved", Outcome.of(502, "UPSTREAM_BAD_RESPONSE")),
            Map.entry("vercel-ai__synthetic-thought-image-plus-image", Outcome.of(502, "UPSTREAM_BAD_RESPONSE")));

    private static final Map<String, Outcome> ERRORS = Map.ofEntries(
            Map.entry("issue-archestra__400-missing-thought-signature", Outcome.of(400, "INVALID_REQUEST")),
            Map.entry("issue-continue__503-high-demand", Outcome.of(503, "UPSTREAM_UNAVAILABLE")),
            Map.entry("issue-eva-agent__503-model-overloaded", Outcome.of(503, "UPSTREAM_UNAVAILABLE")),
            Map.entry("issue-openai-gemini__500-internal", Outcome.of(503, "UPSTREAM_UNAVAILABLE")),
            Map.entry("js-genai__recording-404-model-not-found", Outcome.of(502, "MODEL_UNAVAILABLE")),
            Map.entry("mes-knowledge-base__429-quota-help-retryinfo", Outcome.of(429, "UPSTREAM_RATE_LIMITED")),
            Map.entry("pydantic-ai__vertex-400-invalid-argument-url-roboted", Outcome.of(400, "INVALID_REQUEST")),
            Map.entry("vercel-ai__429-quota-retryinfo", Outcome.of(429, "UPSTREAM_RATE_LIMITED")),
            Map.entry("vertexai-sdk-test-data__400-api-key-invalid-firebaseml", Outcome.of(502, "UPSTREAM_AUTH")),
            Map.entry("vertexai-sdk-test-data__400-api-key-invalid", Outcome.of(502, "UPSTREAM_AUTH")),
            Map.entry("vertexai-sdk-test-data__400-failed-precondition-location", Outcome.of(502, "UPSTREAM_AUTH")),
            Map.entry("vertexai-sdk-test-data__400-failed-precondition-template", Outcome.of(502, "UPSTREAM_AUTH")),
            Map.entry("vertexai-sdk-test-data__400-image-rejected", Outcome.of(400, "INVALID_REQUEST")),
            Map.entry("vertexai-sdk-test-data__400-invalid-argument-no-details", Outcome.of(400, "INVALID_REQUEST")),
            Map.entry("vertexai-sdk-test-data__403-iam-permission-denied", Outcome.of(502, "UPSTREAM_AUTH")),
            Map.entry("vertexai-sdk-test-data__403-service-disabled", Outcome.of(502, "UPSTREAM_AUTH")),
            Map.entry("vertexai-sdk-test-data__404-model-not-found-counttokens", Outcome.of(502, "MODEL_UNAVAILABLE")),
            Map.entry("vertexai-sdk-test-data__404-unknown-model", Outcome.of(502, "MODEL_UNAVAILABLE")),
            Map.entry("vertexai-sdk-test-data__429-rate-limit-errorinfo", Outcome.of(429, "UPSTREAM_RATE_LIMITED")),
            // The recorded stream ends with a bare CANCELLED error: nothing was delivered, so a caller may retry.
            Map.entry("vertexai-sdk-test-data__stream-mid-stream-499-cancelled", Outcome.of(503, "UPSTREAM_UNAVAILABLE")));

    /** Retried by the function within the deadline. The 429s ask for more time than the deadline leaves. */
    private static final Set<Integer> RETRIED = Set.of(500, 503);

    static Stream<String> answers() throws IOException, URISyntaxException {
        return names("/realworld/gemini", "gemini__");
    }

    static Stream<String> errors() throws IOException, URISyntaxException {
        return names("/realworld", "gemini-error__");
    }

    @Test
    void everyRecordingHasAnOutcome() throws IOException, URISyntaxException {
        assertEquals(ANSWERS.keySet(), Set.copyOf(answers().toList()), "answers without an outcome, or the reverse");
        assertEquals(ERRORS.keySet(), Set.copyOf(errors().toList()), "errors without an outcome, or the reverse");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void aRecordedAnswer(String name) throws IOException {
        JsonNode body = unwrap(load("/realworld/gemini/gemini__" + name + ".json"));
        Outcome expected = ANSWERS.get(name);
        assertNotNull(expected, name);
        if (expected.code() == null) {
            Response r = replay(200, body);
            assertEquals(200, r.statusCode(), r.asString());
            JsonNode image = lastFinalImage(body);
            byte[] bytes = Base64.getDecoder().decode(image.get("data").asText());
            String key = r.path("key");
            assertEquals(HexFormat.of().formatHex(Hashes.sha256(bytes, bytes.length)), r.path("sha256"));
            assertEquals(image.get("mimeType").asText(), r.path("mimeType"));
            byte[] stored = object(key);
            assertEquals(r.<String>path("sha256"), HexFormat.of().formatHex(Hashes.sha256(stored, stored.length)),
                    "the stored object is the answer's image");
            assertEquals(1, gemini().calls());
        } else {
            assertNoObjectLeft(() -> check(expected, replay(200, body)));
            assertEquals(1, gemini().calls(), "an answer is paid for once, never asked again");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void aRecordedError(String name) throws IOException {
        JsonNode body = unwrap(load("/realworld/gemini-error__" + name + ".json"));
        int status = body.at("/error/code").asInt();
        Outcome expected = ERRORS.get(name);
        assertNotNull(expected, name);
        assertNoObjectLeft(() -> check(expected, replay(status, body)));
        if (!RETRIED.contains(status)) {
            assertEquals(1, gemini().calls(), "a refusal is not asked again");
        }
    }

    private static void check(Outcome expected, Response r) {
        String text = r.asString();
        assertEquals(expected.status(), r.statusCode(), text);
        JsonPath problem = JsonPath.from(text);
        assertEquals(expected.code(), problem.getString("code"), text);
        assertEquals(expected.reason(), problem.getString("reason"), text);
        boolean transientCode = Set.of(429, 503).contains(expected.status());
        assertEquals(transientCode, problem.getBoolean("retryable"), text);
        if (transientCode) {
            assertNotNull(r.header("Retry-After"), "a transient failure says when to come back");
        }
    }

    private static Response replay(int status, JsonNode body) {
        gemini().reset();
        try {
            gemini().answerByDefault(Reply.raw(status, JSON.writeValueAsString(body)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // A short deadline: the 429 recordings ask for 34–58 s, which the function must not wait for here.
        return given().contentType("application/json").header("X-Timeout-Ms", "6000")
                .body("{\"prompt\":\"a recorded answer\"}").when().post("/v1/images");
    }

    /** The body Gemini sent: js-genai's recording holds it in its last interaction, the SSE list in its last event. */
    private static JsonNode unwrap(JsonNode file) {
        if (file.has("interactions")) {
            JsonNode response = file.get("interactions").get(file.get("interactions").size() - 1).get("response");
            assertEquals(1, response.get("bodySegments").size(), "one answer, not a stream");
            return response.get("bodySegments").get(0);
        }
        if (file.has("events")) {
            JsonNode last = file.get("events").get(file.get("events").size() - 1);
            return last.has("raw_json") ? last.get("raw_json") : last.get("sse_data");
        }
        return file;
    }

    /** The deliverable image: the last inlineData part of the first candidate that is not a thought. */
    private static JsonNode lastFinalImage(JsonNode body) {
        JsonNode found = null;
        for (JsonNode part : body.at("/candidates/0/content/parts")) {
            if (part.has("inlineData") && !part.path("thought").asBoolean()) {
                found = part.get("inlineData");
            }
        }
        assertNotNull(found, "the recording holds an image");
        return found;
    }

    private static JsonNode load(String resource) throws IOException {
        try (InputStream in = RecordedGeminiAnswersTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            return JSON.readTree(in);
        }
    }

    private static Stream<String> names(String dir, String prefix) throws IOException, URISyntaxException {
        Path root = Path.of(RecordedGeminiAnswersTest.class.getResource(dir).toURI());
        try (Stream<Path> files = Files.list(root)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(prefix) && n.endsWith(".json"))
                    .map(n -> n.substring(prefix.length(), n.length() - ".json".length())).sorted().toList().stream();
        }
    }
}
