package dev.imagefn.lambda;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.testing.HttpTestBase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every recorded Lambda event and CloudEvent of {@code src/test/resources/realworld/events} (other projects'
 * recordings; sources in its README), replayed as delivered. None of them is an imagefn job, so each must be
 * answered in the carrier's own terms — a problem, a failure record, a skip — without a paid call, without an
 * internal error, and without reading a bucket the pipeline does not handle.
 */
@QuarkusTest
class RealWorldEventsTest extends HttpTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = Path.of("src/test/resources/realworld/events");

    @Inject
    LambdaHandler handler;

    private static List<Path> files(String prefix) throws Exception {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".json"))
                    .sorted().toList();
        }
    }

    @Test
    void everyRecordedLambdaEventIsAnsweredWithoutPayingOrFailingInternally() throws Exception {
        List<Path> events = files("aws__");
        assertTrue(events.size() > 30, events.toString());
        List<String> wrong = new ArrayList<>();
        for (Path p : events) {
            String name = p.getFileName().toString();
            if (name.endsWith("-response.json")) {
                continue; // what a function answers, not an event
            }
            byte[] event = Files.readAllBytes(p);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String answer;
            try {
                handler.handleRequest(new ByteArrayInputStream(event), out, FakeContext.withRemaining(300_000));
                answer = out.toString(StandardCharsets.UTF_8);
            } catch (LambdaProblem problem) {
                answer = problem.getMessage();
            } catch (RuntimeException e) {
                wrong.add(name + ": " + e);
                continue;
            }
            JsonNode reply = JSON.readTree(answer);
            if (answer.contains("\"INTERNAL\"") || reply.path("statusCode").asInt(0) >= 500) {
                wrong.add(name + ": " + answer);
            }
            if (reply.has("batchItemFailures") && !reply.get("batchItemFailures").isEmpty()) {
                wrong.add(name + ": a message none will ever turn into a job was sent back: " + answer);
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(0, gemini().calls(), "no recorded event is a paid job");
    }

    @Test
    void everyRecordedCloudEventIsAnsweredWithoutPayingOrFailingInternally() throws Exception {
        List<Path> events = files("cloudevents__");
        assertTrue(events.size() > 20, events.toString());
        List<String> wrong = new ArrayList<>();
        for (Path p : events) {
            String name = p.getFileName().toString();
            JsonNode e = JSON.readTree(p.toFile());
            RequestSpecification request = given();
            String body;
            if (e.has("headers") && e.has("body")) {
                e.get("headers").fields().forEachRemaining(h -> request.header(h.getKey(), h.getValue().asText()));
                body = e.get("body").asText();
            } else if (e.has("specversion") || name.contains("batch")) {
                request.contentType(name.contains("batch") ? "application/cloudevents-batch+json"
                        : "application/cloudevents+json");
                body = e.toString();
            } else if (e.has("bucket") && e.has("name")) {
                request.contentType("application/json").header("ce-specversion", "1.0").header("ce-id", name)
                        .header("ce-source", "//storage.googleapis.com/projects/_/buckets/" + e.get("bucket").asText())
                        .header("ce-type", "google.cloud.storage.object.v1.finalized");
                body = e.toString();
            } else {
                request.contentType("application/json");
                body = e.toString();
            }
            Response r = request.body(body.getBytes(StandardCharsets.UTF_8)).when().post("/");
            String answer = r.asString();
            if (r.statusCode() >= 500 || answer.contains("\"INTERNAL\"")) {
                wrong.add(name + ": " + r.statusCode() + " " + answer);
            }
            assertFalse(r.statusCode() == 200 && "dev.imagefn.image.generated".equals(r.header("ce-type")), name);
        }
        assertEquals(List.of(), wrong);
        assertEquals(0, gemini().calls(), "no recorded event is a paid job");
    }
}
