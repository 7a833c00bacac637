package dev.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.LocalS3;
import dev.imagefn.testing.PackagedFunction;
import dev.imagefn.testing.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The packaged function (prod profile, as deployed) logs one JSON object per line: each job's line carries the
 * request id, the delivery, the model and the outcome as fields; Cloud Run's format has {@code severity}. Neither
 * the API key nor a prompt is ever in them.
 */
class JsonLogsIT {
    private static final String KEY = "json-logs-it-key-AIzaSyJSONLOGS";
    private static final String PROMPT = "a lighthouse that only this test draws";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jobsAreLoggedAsJsonWithTheirFields() throws Exception {
        try (LocalS3 s3 = LocalS3.start(Path.of(System.getProperty("localstack.dir", "target/localstack")), 0);
                GeminiStandIn gemini = new GeminiStandIn(0, KEY);
                PackagedFunction f = PackagedFunction.start(PackagedFunction.localStack(s3, gemini, KEY),
                        List.of(), Duration.ofSeconds(60))) {
            assertEquals(200, post(f, "json-logs-ok", "{\"prompt\":\"" + PROMPT + "\"}").statusCode());
            gemini.enqueue(Reply.error(403, "PERMISSION_DENIED", "API key " + KEY + " has no access", null));
            assertEquals(502, post(f, "json-logs-denied", "{\"prompt\":\"" + PROMPT + "\"}").statusCode());

            List<JsonNode> lines = jsonLines(f.log());
            JsonNode done = job(lines, "json-logs-ok");
            assertEquals("INFO", done.path("level").asText(), done.toString());
            assertTrue(done.hasNonNull("timestamp") && done.hasNonNull("message"), done.toString());
            assertEquals("http", done.path("mdc").path("deliveryKind").asText(), done.toString());
            assertEquals("GENERATED", done.path("mdc").path("outcome").asText(), done.toString());
            assertEquals("gemini-3.1-flash-image", done.path("mdc").path("model").asText(), done.toString());
            JsonNode denied = job(lines, "json-logs-denied");
            assertEquals("UPSTREAM_AUTH", denied.path("mdc").path("outcome").asText(), denied.toString());
            assertEquals("WARN", denied.path("level").asText(), denied.toString());
            assertFalse(f.log().contains(KEY), "the API key is logged");
            assertFalse(f.log().contains(PROMPT), "the prompt is logged");
        }
    }

    @Test
    void cloudRunFormatHasSeverity() throws Exception {
        try (LocalS3 s3 = LocalS3.start(Path.of(System.getProperty("localstack.dir", "target/localstack")), 0);
                GeminiStandIn gemini = new GeminiStandIn(0, KEY);
                PackagedFunction f = PackagedFunction.start(gcp(PackagedFunction.localStack(s3, gemini, KEY)),
                        List.of(), Duration.ofSeconds(60))) {
            assertEquals(200, post(f, "json-logs-gcp", "{\"prompt\":\"" + PROMPT + "\"}").statusCode());
            JsonNode done = job(jsonLines(f.log()), "json-logs-gcp");
            assertEquals("INFO", done.path("severity").asText(), done.toString());
            assertTrue(done.path("message").asText().contains("GENERATED"), done.toString());
        }
    }

    private static Map<String, String> gcp(Map<String, String> env) {
        env.put("QUARKUS_LOG_CONSOLE_JSON_LOG_FORMAT", "gcp");
        return env;
    }

    private static HttpResponse<String> post(PackagedFunction f, String requestId, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(f.baseUrl() + "/v1/images"))
                .header("Content-Type", "application/json").header("X-Request-Id", requestId)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every line the function wrote is one JSON object (the JVM's own warnings aside). */
    private static List<JsonNode> jsonLines(String log) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : log.lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING:")).toList()) {
            out.add(JSON.readTree(line));
        }
        assertFalse(out.isEmpty(), log);
        return out;
    }

    private static JsonNode job(List<JsonNode> lines, String requestId) {
        List<JsonNode> found = lines.stream().filter(l -> requestId.equals(mdc(l).path("requestId").asText())
                && mdc(l).has("outcome")).collect(Collectors.toList());
        assertEquals(1, found.size(), "one outcome line for " + requestId + " in " + lines);
        return found.get(0);
    }

    /** The default format nests the MDC under {@code mdc}; the others put its fields at the top. */
    private static JsonNode mdc(JsonNode line) {
        return line.has("mdc") ? line.path("mdc") : line;
    }
}
