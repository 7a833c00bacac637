package dev.imagefn.http;

import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/** What every HTTP route does the same way: bounded body reads and the call's deadline. */
final class HttpCalls {
    static final String TIMEOUT_HEADER = "X-Timeout-Ms";

    private HttpCalls() {
    }

    /** Reads a request body, refusing more than the limit with a 413 problem instead of buffering it all. */
    static byte[] readBounded(InputStream body, long max) {
        if (body == null) {
            return new byte[0];
        }
        try {
            byte[] data = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (data.length > max) {
                throw new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than " + max + " bytes");
            }
            return data;
        } catch (IOException e) {
            throw ImageFnException.invalid("the body could not be read: " + e.getMessage());
        }
    }

    /** {@code base}, shortened by the caller's {@code X-Timeout-Ms} (e.g. a gateway's own limit). */
    static Deadline deadline(Deadline base, String timeoutHeader) {
        Deadline deadline = base;
        if (timeoutHeader == null || timeoutHeader.isBlank()) {
            return deadline;
        }
        try {
            long ms = Long.parseLong(timeoutHeader.strip());
            if (ms <= 0) {
                throw new NumberFormatException();
            }
            return deadline.atMost(Duration.ofMillis(ms));
        } catch (NumberFormatException e) {
            throw ImageFnException.invalid(TIMEOUT_HEADER + " must be a positive number of milliseconds");
        }
    }
}
