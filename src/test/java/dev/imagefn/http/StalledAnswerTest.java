package dev.imagefn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import dev.imagefn.testing.ShortGeminiTimeoutProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A 200 whose body stops arriving: after imagefn.gemini.timeout without a byte it is a timeout (504, paid, not
 * retried: Gemini may have generated and billed it), not a malformed answer, and nothing is stored.
 */
@QuarkusTest
@TestProfile(ShortGeminiTimeoutProfile.class)
class StalledAnswerTest extends HttpTestBase {

    @Test
    void aBodyThatStopsArrivingIsAPaidTimeout() {
        gemini().enqueue(Reply.image().padTo(2_000_000).stalledMidBody(Duration.ofSeconds(4)));
        long t0 = System.nanoTime();
        assertNoObjectLeft(() -> post("{\"prompt\":\"stalls\"}").statusCode(504)
                .body("code", org.hamcrest.Matchers.equalTo("UPSTREAM_TIMEOUT")));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 3_500, "the read timeout cut it, not the end of the stall: " + ms + " ms");
        assertEquals(1, gemini().calls(), "a paid call is not made again");
    }
}
