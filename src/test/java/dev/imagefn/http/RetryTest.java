package dev.imagefn.http;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Retries against the stand-in (test config: 50 ms initial backoff, 5 attempts). */
@QuarkusTest
class RetryTest extends HttpTestBase {

    private static long gapMillis(List<GeminiStandIn.Recorded> calls, int i) {
        return calls.get(i).receivedAtMillis() - calls.get(i - 1).receivedAtMillis();
    }

    @Test
    void rateLimitHonoursRetryInfo() {
        gemini().enqueue(Reply.rateLimited("1.2s"));
        post("{\"prompt\":\"after a pause\"}").statusCode(200);
        List<GeminiStandIn.Recorded> calls = gemini().requests();
        assertEquals(2, calls.size());
        assertTrue(gapMillis(calls, 1) >= 1150, "waited " + gapMillis(calls, 1) + " ms, RetryInfo said 1.2 s");
    }

    @Test
    void retryAfterHeaderIsHonouredWhenThereIsNoRetryInfo() {
        gemini().enqueue(Reply.error(503, "UNAVAILABLE", "busy", null).header("Retry-After", "1"));
        post("{\"prompt\":\"later\"}").statusCode(200);
        List<GeminiStandIn.Recorded> calls = gemini().requests();
        assertEquals(2, calls.size());
        assertTrue(gapMillis(calls, 1) >= 950, "waited " + gapMillis(calls, 1) + " ms, Retry-After said 1 s");
    }

    @Test
    void overloadedTwiceThenSuccess() {
        gemini().enqueue(Reply.unavailable(), Reply.unavailable());
        String key = post("{\"prompt\":\"third time lucky\"}").statusCode(200).extract().path("key");
        assertEquals(3, gemini().calls());
        assertEquals(gemini().lastFinalImages().size(), 1);
        assertTrue(keys().contains(key));
    }

    @Test
    void serverErrorsAndTimeoutsAreRetried() {
        gemini().enqueue(Reply.error(500, "INTERNAL", "oops", null), Reply.error(504, "DEADLINE_EXCEEDED", "slow", null),
                Reply.error(408, "CANCELLED", "timeout", null), Reply.error(502, "UNAVAILABLE", "bad gateway", null));
        post("{\"prompt\":\"eventually\"}").statusCode(200);
        assertEquals(5, gemini().calls());
    }

    @Test
    void clientErrorsAreNeverRetried() {
        gemini().enqueue(Reply.error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", null));
        post("{\"prompt\":\"x\"}").statusCode(400).body("code", equalTo("INVALID_REQUEST"));
        assertEquals(1, gemini().calls());
        gemini().reset();
        gemini().enqueue(Reply.error(403, "PERMISSION_DENIED", "denied", null));
        post("{\"prompt\":\"x\"}").statusCode(502).body("code", equalTo("UPSTREAM_AUTH"));
        assertEquals(1, gemini().calls());
        gemini().reset();
        post("{\"prompt\":\"x\",\"model\":\"gemini-0-gone-image\"}").statusCode(502).body("code", equalTo("MODEL_UNAVAILABLE"));
        assertEquals(1, gemini().calls());
    }

    @Test
    void zeroQuotaIsNotRetried() {
        gemini().enqueue(Reply.error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for metric: generate_content_free_tier_requests, limit: 0", null));
        post("{\"prompt\":\"free tier\"}").statusCode(429).body("code", equalTo("UPSTREAM_RATE_LIMITED"));
        assertEquals(1, gemini().calls());
    }

    @Test
    void noRetryWhenTheServerAsksForMoreTimeThanTheDeadlineLeaves() {
        gemini().enqueue(Reply.rateLimited("30s"));
        long t0 = System.nanoTime();
        io.restassured.RestAssured.given().contentType("application/json").header("X-Timeout-Ms", "5000")
                .body("{\"prompt\":\"hurry\"}").when().post("/v1/images").then()
                .statusCode(429).body("code", equalTo("UPSTREAM_RATE_LIMITED"));
        assertEquals(1, gemini().calls());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 3000, "must answer at once instead of sleeping past the deadline");
    }

    /** A 503 whose delay does not fit the deadline is answered at once, and passes Gemini's delay on to the caller. */
    @Test
    void anUnavailableAnswerPassesGeminisDelayOn() {
        gemini().enqueue(Reply.error(503, "UNAVAILABLE", "overloaded", null).header("Retry-After", "40"));
        io.restassured.RestAssured.given().contentType("application/json").header("X-Timeout-Ms", "5000")
                .body("{\"prompt\":\"busy\"}").when().post("/v1/images").then()
                .statusCode(503).body("code", equalTo("UPSTREAM_UNAVAILABLE")).header("Retry-After", "40");
        assertEquals(1, gemini().calls());
    }
}
