package dev.imagefn.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageFnExceptionTest {

    @Test
    void retryAfterSecondsRoundUp() {
        assertEquals(35, ImageFnException.wholeSecondsUp(Duration.ofMillis(34_400)));
        assertEquals(58, ImageFnException.wholeSecondsUp(Duration.ofSeconds(58)));
        assertEquals(59, ImageFnException.wholeSecondsUp(Duration.ofSeconds(58, 1)));
        assertEquals(1, ImageFnException.wholeSecondsUp(Duration.ofNanos(1)));
        assertEquals(1, ImageFnException.wholeSecondsUp(Duration.ZERO));
        assertEquals(35, new ImageFnException(ErrorCode.UPSTREAM_RATE_LIMITED, "x", Map.of(), Duration.ofMillis(34_400),
                null).retryAfterSeconds().getAsLong());
        assertTrue(ImageFnException.invalid("x").retryAfterSeconds().isEmpty());
    }

    @Test
    void aTransientFailureWithoutADelayOfItsOwnStillSaysWhenToComeBack() {
        assertEquals(5, new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE, "x").retryAfterSeconds().getAsLong());
        assertEquals(5, new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "x").retryAfterSeconds().getAsLong());
        assertTrue(new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "x").paid().retryAfterSeconds().isEmpty(),
                "a failure that must not be redelivered gives no time to come back");
    }
}
