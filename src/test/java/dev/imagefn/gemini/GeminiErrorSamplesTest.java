package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link GeminiError} on the real recorded error bodies in src/test/resources/realworld/. */
class GeminiErrorSamplesTest {

    private static GeminiError sample(int status, String name) throws IOException {
        try (InputStream in = GeminiErrorSamplesTest.class.getResourceAsStream("/realworld/gemini-error__" + name + ".json")) {
            assertNotNull(in, name);
            return GeminiError.parse(status, in.readAllBytes());
        }
    }

    @Test
    void zeroQuotaInErrorInfoMetadataIsRecognised() throws IOException {
        GeminiError e = sample(429, "vertexai-sdk-test-data__429-rate-limit-errorinfo");
        assertEquals("RESOURCE_EXHAUSTED", e.status());
        assertEquals("RATE_LIMIT_EXCEEDED", e.reason());
        assertTrue(e.zeroQuota(), "metadata quota_limit_value \"0\" is a quota of 0");
        assertNull(e.retryDelay());
    }

    @Test
    void aQuotaAboveZeroIsNotZero() throws IOException {
        GeminiError e = sample(429, "mes-knowledge-base__429-quota-help-retryinfo");
        assertFalse(e.zeroQuota(), "quotaValue \"5\"");
        assertEquals(Duration.ofSeconds(58), e.retryDelay());
    }

    @Test
    void fractionalRetryDelayIsExact() throws IOException {
        GeminiError e = sample(429, "vercel-ai__429-quota-retryinfo");
        assertEquals(Duration.ofMillis(34_400), e.retryDelay());
        assertFalse(e.zeroQuota());
    }

    @Test
    void statusAndReasonOfOtherSamples() throws IOException {
        assertEquals("API_KEY_INVALID", sample(400, "vertexai-sdk-test-data__400-api-key-invalid").reason());
        assertEquals("SERVICE_DISABLED", sample(403, "vertexai-sdk-test-data__403-service-disabled").reason());
        assertEquals("FAILED_PRECONDITION",
                sample(400, "vertexai-sdk-test-data__400-failed-precondition-template").status());
        GeminiError overloaded = sample(503, "issue-eva-agent__503-model-overloaded");
        assertEquals(503, overloaded.code());
        assertEquals("The model is overloaded. Please try again later.", overloaded.safeMessage("k"));
    }

    @Test
    void debugInfoKeysAreRedacted() throws IOException {
        String m = GeminiError.parse(400, "{\"error\":{\"code\":400,\"message\":\"Invalid API key: AIzaSyA0123456789abcdefXYZ\"}}"
                .getBytes()).safeMessage("other");
        assertFalse(m.contains("AIzaSyA0123456789"), m);
    }
}
