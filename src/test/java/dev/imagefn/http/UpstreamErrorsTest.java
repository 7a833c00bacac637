package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Odd headers and real recorded error bodies from Gemini (test config: 50 ms initial backoff, 5 attempts). */
@QuarkusTest
class UpstreamErrorsTest extends HttpTestBase {

    @Test
    void negativeRetryAfterFallsBackToBackoff() {
        assertNoObjectLeft(() -> post("{\"prompt\":\"busy [stand-in:retry-after-negative]\"}").statusCode(503)
                .body("code", equalTo("UPSTREAM_UNAVAILABLE")));
        assertEquals(5, gemini().calls(), "every attempt made, with backoff instead of the negative delay");
    }

    @Test
    void absurdOrGarbageRetryAfterFallsBackToBackoff() {
        for (String directive : new String[] {"retry-after-absurd", "retry-after-garbage"}) {
            gemini().reset();
            post("{\"prompt\":\"busy [stand-in:" + directive + "]\"}").statusCode(503)
                    .body("code", equalTo("UPSTREAM_UNAVAILABLE"));
            assertEquals(5, gemini().calls(), directive);
        }
    }

    @Test
    void oddRetryAfterOnARateLimitIsNeverInternal() {
        for (String value : new String[] {"-5", "99999999999", "Sun, 06 Nov 1994 08:49:37 GMT", "1.5", "in a while", ""}) {
            gemini().reset();
            for (int i = 0; i < 5; i++) {
                gemini().enqueue(Reply.error(429, "RESOURCE_EXHAUSTED", "slow down", null).header("Retry-After", value));
            }
            post("{\"prompt\":\"rate limited\"}").statusCode(429).body("code", equalTo("UPSTREAM_RATE_LIMITED"))
                    .header("Retry-After", org.hamcrest.Matchers.matchesPattern("[1-9][0-9]*"));
            assertEquals(5, gemini().calls(), "Retry-After " + value);
        }
    }

    @Test
    void aConnectionClosedWithoutAnswerIsUpstreamUnavailable() {
        assertNoObjectLeft(() -> post("{\"prompt\":\"gone [stand-in:hang-up]\"}").statusCode(503)
                .body("code", equalTo("UPSTREAM_UNAVAILABLE")));
        assertEquals(5, gemini().calls(), "a transport failure before any answer is retried");
    }

    @Test
    void retryDelayIsRoundedUpForTheCaller() {
        gemini().enqueue(Reply.recorded("gemini-error__vercel-ai__429-quota-retryinfo.json"));
        given().contentType("application/json").header("X-Timeout-Ms", "5000").body("{\"prompt\":\"quota\"}")
                .when().post("/v1/images").then().statusCode(429).body("code", equalTo("UPSTREAM_RATE_LIMITED"))
                .header("Retry-After", "35").body("retryAfterSeconds", equalTo(35));
        assertEquals(1, gemini().calls(), "34.4 s does not fit a 5 s deadline");
    }

    @Test
    void zeroQuotaInErrorInfoMetadataIsNotRetried() {
        assertNoObjectLeft(() -> post("{\"prompt\":\"no quota [stand-in:429-quota-zero]\"}").statusCode(429)
                .body("code", equalTo("UPSTREAM_RATE_LIMITED")).body("retryable", equalTo(true)));
        assertEquals(1, gemini().calls());
    }

    /** Every real recorded error body, as many times as there are attempts: the code the caller sees. */
    @Test
    void recordedErrorBodiesMapToTheirCodes() {
        Map<String, String> expected = Map.ofEntries(
                Map.entry("issue-archestra__400-missing-thought-signature", "INVALID_REQUEST"),
                Map.entry("issue-continue__503-high-demand", "UPSTREAM_UNAVAILABLE"),
                Map.entry("issue-eva-agent__503-model-overloaded", "UPSTREAM_UNAVAILABLE"),
                Map.entry("issue-openai-gemini__500-internal", "UPSTREAM_UNAVAILABLE"),
                Map.entry("pydantic-ai__vertex-400-invalid-argument-url-roboted", "INVALID_REQUEST"),
                Map.entry("vertexai-sdk-test-data__400-api-key-invalid-firebaseml", "UPSTREAM_AUTH"),
                Map.entry("vertexai-sdk-test-data__400-api-key-invalid", "UPSTREAM_AUTH"),
                Map.entry("vertexai-sdk-test-data__400-failed-precondition-location", "UPSTREAM_AUTH"),
                Map.entry("vertexai-sdk-test-data__400-failed-precondition-template", "UPSTREAM_AUTH"),
                Map.entry("vertexai-sdk-test-data__400-image-rejected", "INVALID_REQUEST"),
                Map.entry("vertexai-sdk-test-data__400-invalid-argument-no-details", "INVALID_REQUEST"),
                Map.entry("vertexai-sdk-test-data__403-iam-permission-denied", "UPSTREAM_AUTH"),
                Map.entry("vertexai-sdk-test-data__403-service-disabled", "UPSTREAM_AUTH"),
                Map.entry("vertexai-sdk-test-data__404-model-not-found-counttokens", "MODEL_UNAVAILABLE"),
                Map.entry("vertexai-sdk-test-data__404-unknown-model", "MODEL_UNAVAILABLE"),
                Map.entry("vertexai-sdk-test-data__429-rate-limit-errorinfo", "UPSTREAM_RATE_LIMITED"));
        expected.forEach((sample, code) -> {
            gemini().reset();
            for (int i = 0; i < 5; i++) {
                gemini().enqueue(Reply.recorded("gemini-error__" + sample + ".json"));
            }
            assertNoObjectLeft(() -> post("{\"prompt\":\"recorded\"}").body("code", equalTo(code)));
        });
    }
}
