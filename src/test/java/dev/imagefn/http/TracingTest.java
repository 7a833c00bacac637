package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import dev.imagefn.testing.TracingProfile;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A job is one span, under the caller's trace ({@code traceparent}, or a CloudEvent's {@code traceparent}
 * extension), with the Gemini call (each attempt a child span, each wait before a retry an event) and the S3
 * writes below it.
 */
@QuarkusTest
@TestProfile(TracingProfile.class)
class TracingTest extends HttpTestBase {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00f067aa0ba902b7";
    private static final String EVENT_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String EVENT_PARENT = "b7ad6b7169203331";

    @Inject
    InMemorySpanExporter spans;

    @BeforeEach
    void clear() {
        spans.reset();
    }

    @Test
    void aJobJoinsTheCallersTraceWithTheGeminiAttemptsAndTheS3WritesBelowIt() throws Exception {
        gemini().enqueue(Reply.error(503, "UNAVAILABLE", "overloaded", null));
        given().contentType("application/json").header("traceparent", "00-" + TRACE + "-" + PARENT + "-01")
                .body("{\"prompt\":\"traced\"}").when().post("/v1/images").then().statusCode(200);

        SpanData job = await(s -> s.getName().equals("imagefn job http"));
        assertEquals(TRACE, job.getTraceId());
        SpanData server = byId(job.getParentSpanId());
        assertEquals(PARENT, server.getParentSpanId(), "the HTTP server span is the caller's child");
        assertEquals("GENERATED", job.getAttributes().asMap().entrySet().stream()
                .filter(e -> e.getKey().getKey().equals("imagefn.outcome")).findFirst().orElseThrow().getValue());

        SpanData call = await(s -> s.getName().equals("gemini generateContent"));
        assertEquals(job.getSpanId(), call.getParentSpanId());
        SpanData first = await(s -> s.getName().equals("gemini attempt 1"));
        SpanData second = await(s -> s.getName().equals("gemini attempt 2"));
        assertEquals(call.getSpanId(), first.getParentSpanId());
        assertEquals(call.getSpanId(), second.getParentSpanId());
        assertEquals(StatusCode.ERROR, first.getStatus().getStatusCode());
        assertEquals(StatusCode.UNSET, second.getStatus().getStatusCode());
        assertTrue(call.getEvents().stream().anyMatch(e -> e.getName().equals("retry wait")), call.toString());

        SpanData put = await(s -> s.getName().equals("S3.PutObject") && s.getTraceId().equals(TRACE));
        assertTrue(isBelow(put, job), "the S3 write is inside the job: " + put);
        assertFalse(spans.getFinishedSpanItems().toString().contains("traced"), "the prompt is not in a span");
    }

    @Test
    void aCloudEventJoinsTheTraceItStartedInAndLinksTheHop() throws Exception {
        given().contentType("application/json").header("traceparent", "00-" + TRACE + "-" + PARENT + "-01")
                .header("ce-specversion", "1.0").header("ce-id", "traced-1").header("ce-source", "/tests")
                .header("ce-type", "dev.imagefn.image.requested")
                .header("ce-traceparent", "00-" + EVENT_TRACE + "-" + EVENT_PARENT + "-01")
                .body("{\"prompt\":\"traced event\"}").when().post("/").then().statusCode(200);
        SpanData job = await(s -> s.getName().equals("imagefn job cloudevent"));
        assertEquals(EVENT_TRACE, job.getTraceId());
        assertEquals(EVENT_PARENT, job.getParentSpanId());
        assertTrue(job.getLinks().stream().anyMatch(l -> l.getSpanContext().getTraceId().equals(TRACE)),
                "linked to the hop's span: " + job.getLinks());
    }

    @Test
    void aStructuredCloudEventCarriesItsTraceAsAnAttribute() throws Exception {
        given().contentType("application/cloudevents+json").body("{\"specversion\":\"1.0\",\"id\":\"traced-2\","
                + "\"source\":\"/tests\",\"type\":\"dev.imagefn.image.requested\",\"traceparent\":\"00-" + EVENT_TRACE
                + "-" + EVENT_PARENT + "-01\",\"datacontenttype\":\"application/json\",\"data\":{\"prompt\":\"x\"}}")
                .when().post("/").then().statusCode(200);
        SpanData job = await(s -> s.getName().equals("imagefn job cloudevent") && s.getTraceId().equals(EVENT_TRACE));
        assertEquals(EVENT_PARENT, job.getParentSpanId());
    }

    private boolean isBelow(SpanData span, SpanData ancestor) {
        for (SpanData s = span; s != null; s = find(s.getParentSpanId())) {
            if (s.getSpanId().equals(ancestor.getSpanId())) {
                return true;
            }
        }
        return false;
    }

    private SpanData byId(String id) throws InterruptedException {
        return await(s -> s.getSpanId().equals(id));
    }

    private SpanData find(String id) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getSpanId().equals(id)).findFirst().orElse(null);
    }

    private SpanData await(Predicate<SpanData> which) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            List<SpanData> found = spans.getFinishedSpanItems().stream().filter(which).toList();
            if (!found.isEmpty()) {
                return found.get(0);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no such span among " + spans.getFinishedSpanItems().stream()
                .map(s -> s.getName() + " " + s.getTraceId() + "/" + s.getSpanId() + "<-" + s.getParentSpanId())
                .toList());
    }
}
