package dev.imagefn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A body that trickles in (three bytes every 300 ms) is cut at {@code imagefn.limits.body-read-timeout} (2 s here)
 * with a 408, its connection is let go, and the server serves the next request at once.
 */
@QuarkusTest
@TestProfile(BodyReadTimeoutTest.SlowBodies.class)
class BodyReadTimeoutTest extends HttpTestBase {

    public static class SlowBodies implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("imagefn.limits.body-read-timeout", "2s");
        }
    }

    /**
     * A 408 (RFC 9110: the request did not arrive in time), transient: nothing was paid, and a sender may send it
     * again. A CloudEvent gets the same status, which Knative retries (a 400 would have dropped the event).
     */
    @ParameterizedTest(name = "chunked={0} {1}")
    @CsvSource({"false,/v1/images", "true,/v1/images", "false,/"})
    void aTricklingBodyIsCutAtTheReadTimeoutAndHoldsNothing(boolean chunked, String path) throws Exception {
        int port = RestAssured.port;
        AtomicBoolean stop = new AtomicBoolean();
        String[] cloudEvent = {"ce-specversion", "1.0", "ce-id", "slow-" + chunked, "ce-source", "//knative/broker",
                "ce-type", "dev.imagefn.image.requested"};
        String[] framing = chunked ? new String[] {"Transfer-Encoding", "chunked"}
                : new String[] {"Content-Length", "4000"};
        String[] headers = java.util.stream.Stream.of(new String[] {"Content-Type", "application/json"}, framing,
                path.equals("/") ? cloudEvent : new String[0]).flatMap(java.util.Arrays::stream).toArray(String[]::new);
        try (RawHttp c = new RawHttp(port, Duration.ofSeconds(20))) {
            c.head("POST", path, port, RawHttp.headers(headers));
            long start = System.nanoTime();
            Thread trickle = Thread.ofVirtual().start(() -> {
                byte[] open = "{\"prompt\":\"".getBytes(StandardCharsets.US_ASCII);
                byte[] few = "abc".getBytes(StandardCharsets.US_ASCII);
                try {
                    send(c, chunked, open);
                    for (int sent = open.length; !stop.get() && sent + few.length < 4000; sent += few.length) {
                        Thread.sleep(300);
                        send(c, chunked, few);
                    }
                } catch (IOException | InterruptedException e) {
                    // the server hung up, as it should
                }
            });
            RawHttp.Answer a = c.read();
            long ms = (a.arrivedNanos() - start) / 1_000_000;
            stop.set(true);
            System.out.printf("trickling body (chunked=%s): %d %s after %d ms%n", chunked, a.status(), a.text(), ms);
            assertEquals(408, a.status(), a.text());
            assertEquals("REQUEST_TIMEOUT", JsonPath.from(a.text()).getString("code"), a.text());
            assertTrue(JsonPath.from(a.text()).getBoolean("retryable"), a.text());
            assertNotNull(a.header("retry-after"), "a transient failure says when to come back");
            assertTrue(ms >= 1_500, "refused before the read timeout, so not by it: " + ms + " ms");
            assertTrue(ms < 6_000, "a trickling body must be cut near the 2 s read timeout, took " + ms + " ms");
            assertTrue(c.closedByServer(Duration.ofSeconds(5)), "the server must let go of the trickling connection");
            trickle.join(5_000);
        }
        // The worker is free again: a normal request is served at once.
        post("{\"prompt\":\"right after a trickle\"}").statusCode(200);
        assertEquals(1, gemini().calls());
    }

    private static void send(RawHttp c, boolean chunked, byte[] bytes) throws IOException {
        if (chunked) {
            c.chunk(bytes, 0, bytes.length);
        } else {
            c.write(bytes);
        }
    }
}
