package dev.imagefn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A body that trickles in (three bytes every 300 ms) is cut at {@code imagefn.limits.body-read-timeout} (2 s here)
 * with a 400, its connection is let go, and the server serves the next request at once.
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

    @ParameterizedTest(name = "chunked={0}")
    @ValueSource(booleans = {false, true})
    void aTricklingBodyIsCutAtTheReadTimeoutAndHoldsNothing(boolean chunked) throws Exception {
        int port = RestAssured.port;
        AtomicBoolean stop = new AtomicBoolean();
        try (RawHttp c = new RawHttp(port, Duration.ofSeconds(20))) {
            c.head("POST", "/v1/images", port, chunked
                    ? RawHttp.headers("Content-Type", "application/json", "Transfer-Encoding", "chunked")
                    : RawHttp.headers("Content-Type", "application/json", "Content-Length", "4000"));
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
            assertEquals(400, a.status(), a.text());
            assertEquals("INVALID_REQUEST", JsonPath.from(a.text()).getString("code"), a.text());
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
