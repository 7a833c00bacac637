package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.config.ImagefnConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Deterministic backoff: the random source is scripted. */
class RetryPolicyTest {

    private static ImagefnConfig.Retry config(double jitter) {
        return new ImagefnConfig.Retry() {
            public int maxAttempts() { return 5; }
            public Duration initialDelay() { return Duration.ofSeconds(1); }
            public Duration maxDelay() { return Duration.ofSeconds(60); }
            public double multiplier() { return 2.0; }
            public double jitter() { return jitter; }
        };
    }

    @Test
    void exponentialWithoutJitterIsExact() {
        RetryPolicy p = new RetryPolicy(config(0), () -> 0.9);
        assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 60000L, 60000L),
                java.util.stream.IntStream.rangeClosed(1, 8).mapToObj(a -> p.delay(a, null).toMillis()).toList());
    }

    @Test
    void jitterScalesWithinTheConfiguredBand() {
        ArrayDeque<Double> random = new ArrayDeque<>(List.of(0.0, 1.0, 0.5));
        RetryPolicy p = new RetryPolicy(config(0.5), random::poll);
        assertEquals(500, p.delay(1, null).toMillis(), "U=0 gives 1-jitter");
        assertEquals(3000, p.delay(2, null).toMillis(), "U=1 gives 1+jitter");
        assertEquals(4000, p.delay(3, null).toMillis(), "U=0.5 gives the base");
    }

    @Test
    void jitterNeverExceedsTheMaximum() {
        RetryPolicy p = new RetryPolicy(config(1.0), () -> 1.0);
        assertEquals(60000, p.delay(10, null).toMillis());
    }

    @Test
    void serverDelayWins() {
        RetryPolicy p = new RetryPolicy(config(0.5), () -> 0.0);
        assertEquals(17000, p.delay(1, Duration.ofSeconds(17)).toMillis());
    }

    @Test
    void negativeOrAbsurdServerDelaysAreIgnored() {
        RetryPolicy p = new RetryPolicy(config(0), () -> 0.5);
        assertEquals(1000, p.delay(1, Duration.ofSeconds(-5)).toMillis(), "negative: the backoff");
        assertEquals(2000, p.delay(2, Duration.ofSeconds(99_999_999_999L)).toMillis(), "absurd: the backoff");
        assertEquals(0, p.delay(1, Duration.ZERO).toMillis(), "zero is a valid server delay");
    }

    @Test
    void apiKeyIsTrimmedAndCheckedAtStartup() {
        assertEquals("AIzaKey", GeminiImageGenerator.checkedKey("  AIzaKey\n"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> GeminiImageGenerator.checkedKey(" "));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> GeminiImageGenerator.checkedKey("a b"));
    }

    @Test
    void protoDurationsParse() {
        assertEquals(Duration.ofSeconds(17), GeminiError.protoDuration("17s"));
        assertEquals(1173, GeminiError.protoDuration("1.173612231s").toMillis());
        assertEquals(null, GeminiError.protoDuration("soon"));
    }

    @Test
    void errorBodiesParseWrappedOrNot() {
        GeminiError e = GeminiError.parse(429, ("[{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\",\"message\":\"m\","
                + "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"3s\"}]}}]").getBytes());
        assertEquals("RESOURCE_EXHAUSTED", e.status());
        assertEquals(Duration.ofSeconds(3), e.retryDelay());
        GeminiError notJson = GeminiError.parse(502, "<html>".getBytes());
        assertEquals(502, notJson.code());
        assertEquals("no detail", notJson.safeMessage("k"));
    }
}
