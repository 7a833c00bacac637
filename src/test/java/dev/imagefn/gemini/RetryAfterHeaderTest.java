package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Server-given delays: what is believed, and what falls back to the backoff (null). */
class RetryAfterHeaderTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void deltaSeconds() {
        assertEquals(Duration.ofSeconds(120), GeminiError.retryAfterHeader("120", NOW));
        assertEquals(Duration.ZERO, GeminiError.retryAfterHeader("0", NOW));
        assertEquals(Duration.ofSeconds(7), GeminiError.retryAfterHeader(" 7 ", NOW));
    }

    @Test
    void negativeAbsurdOrGarbageIsIgnored() {
        for (String v : new String[] {"-5", "99999999999", "86401", "1.5", "+3", "soon", "", " ", null, "0x10",
                "Wed, 99 Foo 2026 00:00:00 GMT", "\u0661\u0662"}) {
            assertNull(GeminiError.retryAfterHeader(v, NOW), String.valueOf(v));
        }
    }

    @Test
    void anHttpDateInTheFutureIsHonoured() {
        assertEquals(Duration.ofSeconds(90), GeminiError.retryAfterHeader("Tue, 1 Dec 2026 12:01:30 GMT", NOW));
        assertNull(GeminiError.retryAfterHeader("Tue, 1 Dec 2026 11:59:00 GMT", NOW), "in the past");
        assertNull(GeminiError.retryAfterHeader("Sun, 06 Nov 1994 08:49:37 GMT", NOW), "long past");
        assertNull(GeminiError.retryAfterHeader("Fri, 1 Dec 2027 12:00:00 GMT", NOW), "a year away");
    }

    @Test
    void protoDurationsAreStrict() {
        assertEquals(Duration.ofNanos(1_173_612_231), GeminiError.protoDuration("1.173612231s"));
        assertEquals(Duration.ofMillis(34_400), GeminiError.protoDuration("34.4s"));
        assertEquals(Duration.ofMillis(500), GeminiError.protoDuration("0.5s"));
        for (String v : new String[] {"-1s", "1e3s", "NaNs", "Infinitys", "86401s", "99999999999999s", "5", "s", ".5s"}) {
            assertNull(GeminiError.protoDuration(v), v);
        }
    }
}
