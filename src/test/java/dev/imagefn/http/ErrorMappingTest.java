package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Every row of README's error table that a request can cause here, each from a real request, and nothing left behind. */
@QuarkusTest
class ErrorMappingTest extends HttpTestBase {

    private ValidatableResponse problem(ValidatableResponse r, int status, String code) {
        return r.statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("code", equalTo(code))
                .body("type", containsString("imagefn.dev/problems/"))
                .body("title", notNullValue())
                .body("detail", notNullValue())
                .body("requestId", notNullValue());
    }

    private void expect(String body, int status, String code) {
        assertNoObjectLeft(() -> problem(post(body), status, code));
    }

    @Test
    void badJsonMissingPromptAndUnknownFieldsAreInvalidRequests() {
        expect("{\"prompt\": ", 400, "INVALID_REQUEST");
        expect("[1,2]", 400, "INVALID_REQUEST");
        expect("{}", 400, "INVALID_REQUEST");
        expect("{\"prompt\":\"   \"}", 400, "INVALID_REQUEST");
        expect("{\"prompt\":42}", 400, "INVALID_REQUEST");
        expect("{\"prompt\":\"x\",\"aspect_ratio\":\"16:9\"}", 400, "INVALID_REQUEST");
        expect("{\"prompt\":\"x\",\"includeText\":\"yes\"}", 400, "INVALID_REQUEST");
        expect("{\"prompt\":\"x\"} {\"prompt\":\"y\"}", 400, "INVALID_REQUEST");
        assertEquals(0, gemini().calls());
    }

    @Test
    void unknownRoutesAndMethodsAreProblemsToo() {
        problem(given().when().get("/v1/nothing-here").then(), 404, "NOT_FOUND");
        problem(given().when().get("/v1/images").then(), 405, "METHOD_NOT_ALLOWED");
        // RFC 9110 §15.5.6: a 405 names the methods the resource takes.
        given().when().put("/v1/images").then().statusCode(405).header("Allow", "POST");
        given().when().get("/v1/images/generations").then().statusCode(405).header("Allow", "POST");
    }

    @Test
    void keysOutsideThePrefixAreRefused() {
        for (String key : new String[] {"../escape.png", "/abs.png", "a/../../b.png", "a//b.png", "./x.png"}) {
            expect("{\"prompt\":\"x\",\"key\":\"" + key + "\"}", 400, "INVALID_REQUEST");
        }
        assertEquals(0, gemini().calls());
    }

    @Test
    void referenceFromABucketNotAllowedIsForbidden() {
        expect("{\"prompt\":\"x\",\"referenceImages\":[{\"uri\":\"s3://private-hr/photo.png\"}]}", 403,
                "REFERENCE_FORBIDDEN");
        assertEquals(0, gemini().calls());
    }

    @Test
    void missingReferenceIsNotFound() {
        createBucket("refs");
        expect("{\"prompt\":\"x\",\"referenceImages\":[{\"uri\":\"s3://refs/nope.png\"}]}", 422, "REFERENCE_NOT_FOUND");
        assertEquals(0, gemini().calls());
    }

    @Test
    void oversizedReferenceIsTooLarge() {
        String big = Base64.getEncoder().encodeToString(new byte[8 * 1024 * 1024]);
        expect("{\"prompt\":\"x\",\"referenceImages\":[{\"mimeType\":\"image/png\",\"data\":\"" + big + "\"}]}", 413,
                "PAYLOAD_TOO_LARGE");
        assertEquals(0, gemini().calls());
    }

    @Test
    void blockedPromptIsContentBlocked() {
        gemini().enqueue(Reply.promptBlocked("PROHIBITED_CONTENT"));
        assertNoObjectLeft(() -> problem(post("{\"prompt\":\"something bad\"}"), 422, "CONTENT_BLOCKED")
                .body("reason", equalTo("PROHIBITED_CONTENT")).body("retryable", equalTo(false)));
    }

    @Test
    void blockedOutputIsContentBlockedWithTheFinishMessage() {
        gemini().enqueue(Reply.finish("IMAGE_SAFETY", "The model output could not be generated. Support code: 42876398."));
        assertNoObjectLeft(() -> problem(post("{\"prompt\":\"risky\"}"), 422, "CONTENT_BLOCKED")
                .body("reason", equalTo("IMAGE_SAFETY"))
                .body("finishMessage", containsString("Support code: 42876398")));
    }

    @Test
    void textOnlyAnswerIsNoImage() {
        gemini().enqueue(Reply.finish("STOP", null).text("I can only describe it in words."));
        assertNoObjectLeft(() -> problem(post("{\"prompt\":\"describe\"}"), 502, "NO_IMAGE")
                .body("detail", containsString("only describe it in words")));
    }

    @Test
    void persistentRateLimitIsUpstreamRateLimitedWithRetryAfter() {
        for (int i = 0; i < 5; i++) {
            gemini().enqueue(Reply.rateLimited("0.02s"));
        }
        assertNoObjectLeft(() -> problem(post("{\"prompt\":\"busy\"}"), 429, "UPSTREAM_RATE_LIMITED")
                .header("Retry-After", notNullValue()).body("retryable", equalTo(true)));
        assertEquals(5, gemini().calls());
    }

    @Test
    void invalidKeyIsUpstreamAuth() {
        gemini().enqueue(Reply.raw(400, "{\"error\":{\"code\":400,\"message\":\"API key not valid. Please pass a valid API key.\","
                + "\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\","
                + "\"reason\":\"API_KEY_INVALID\",\"domain\":\"googleapis.com\"}]}}"));
        assertNoObjectLeft(() -> problem(post("{\"prompt\":\"x\"}"), 502, "UPSTREAM_AUTH"));
        gemini().enqueue(Reply.error(403, "PERMISSION_DENIED", "Generative Language API has not been used in project 1 or it is disabled.", null));
        assertNoObjectLeft(() -> problem(post("{\"prompt\":\"x\"}"), 502, "UPSTREAM_AUTH"));
        gemini().enqueue(Reply.error(400, "FAILED_PRECONDITION", "Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio.", null));
        assertNoObjectLeft(() -> problem(post("{\"prompt\":\"x\"}"), 502, "UPSTREAM_AUTH"));
        assertEquals(3, gemini().calls());
    }

    @Test
    void retiredModelIsModelUnavailableWithASuggestion() {
        assertNoObjectLeft(() -> problem(post("{\"prompt\":\"x\",\"model\":\"gemini-3.1-flash-image-preview\"}"), 502,
                "MODEL_UNAVAILABLE")
                .body("detail", containsString("gemini-3.1-flash-image-preview"))
                // Its successor gemini-3.1-flash-image is deprecated for gemini-nano-banana-2.1: the end of the chain.
                .body("suggestedModel", equalTo("gemini-nano-banana-2.1")));
        assertEquals(1, gemini().calls());
    }

    @Test
    void persistentOverloadIsUpstreamUnavailable() {
        for (int i = 0; i < 5; i++) {
            gemini().enqueue(Reply.unavailable());
        }
        assertNoObjectLeft(() -> problem(post("{\"prompt\":\"x\"}"), 503, "UPSTREAM_UNAVAILABLE"));
        assertEquals(5, gemini().calls());
    }

    @Test
    void slowUpstreamPastTheDeadlineIsUpstreamTimeout() {
        gemini().enqueue(Reply.image().delay(Duration.ofSeconds(4)));
        long t0 = System.nanoTime();
        assertNoObjectLeft(() -> problem(given().contentType("application/json").header("X-Timeout-Ms", "800")
                .body("{\"prompt\":\"slow\"}").when().post("/v1/images").then(), 504, "UPSTREAM_TIMEOUT"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(true, ms < 3000, "the deadline must cut the call short, took " + ms + " ms");
    }

    @Test
    void truncatedBadBase64AndNonImageAreUpstreamBadResponse() {
        gemini().enqueue(Reply.image().truncated());
        assertNoObjectLeft(() -> problem(post("{\"prompt\":\"cut\"}"), 502, "UPSTREAM_BAD_RESPONSE"));
        gemini().enqueue(Reply.image().badBase64());
        assertNoObjectLeft(() -> problem(post("{\"prompt\":\"bad\"}"), 502, "UPSTREAM_BAD_RESPONSE"));
        gemini().enqueue(Reply.raw(200, "{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":"
                + "\"image/png\",\"data\":\"" + Base64.getEncoder().encodeToString("not an image at all".getBytes())
                + "\"}}]},\"finishReason\":\"STOP\"}]}"));
        assertNoObjectLeft(() -> problem(post("{\"prompt\":\"junk\"}"), 502, "UPSTREAM_BAD_RESPONSE"));
        gemini().enqueue(Reply.raw(200, "<html>proxy error</html>"));
        assertNoObjectLeft(() -> problem(post("{\"prompt\":\"html\"}"), 502, "UPSTREAM_BAD_RESPONSE"));
        assertEquals(4, gemini().calls(), "a paid 200 answer is never retried");
    }
}
