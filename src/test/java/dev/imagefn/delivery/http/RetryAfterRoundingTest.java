package dev.imagefn.delivery.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Retry-After is a whole number of seconds, rounded up, in the header and in the problem alike. */
class RetryAfterRoundingTest {

    private static HttpReply problemAfter(Duration d) {
        return HttpApi.problem(new ImageFnException(ErrorCode.UPSTREAM_RATE_LIMITED, "later", Map.of(), d, null),
                "req-1");
    }

    @Test
    void fractionsRoundUp() {
        for (Object[] c : new Object[][] {{Duration.ofMillis(34_400), "35"}, {Duration.ofSeconds(58), "58"},
                {Duration.ofNanos(58_000_000_001L), "59"}, {Duration.ofMillis(1), "1"}, {Duration.ZERO, "1"}}) {
            HttpReply reply = problemAfter((Duration) c[0]);
            assertEquals(c[1], reply.headers().get("Retry-After"), c[0].toString());
            String body = new String(reply.body(), StandardCharsets.UTF_8);
            assertTrue(body.contains("\"retryAfterSeconds\":" + c[1]), body);
        }
    }
}
