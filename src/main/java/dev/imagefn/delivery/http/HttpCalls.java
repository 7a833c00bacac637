package dev.imagefn.delivery.http;

import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/** What every HTTP route does the same way: bounded, timed body reads and the call's deadline. */
final class HttpCalls {
    static final String TIMEOUT_HEADER = "X-Timeout-Ms";

    private HttpCalls() {
    }

    /**
     * The body as it arrives, refused from its {@code Content-Length} before a byte is read when that is over the
     * limit, cut at the limit when no length was declared, and cut when it takes longer than {@code readTimeout}
     * (a client that trickles its body cannot hold a worker).
     */
    static InputStream bounded(InputStream body, String contentLength, long max, Duration readTimeout) {
        if (contentLength != null) {
            long declared;
            try {
                declared = Long.parseLong(contentLength.strip());
            } catch (NumberFormatException e) {
                throw ImageFnException.invalid("Content-Length is not a number");
            }
            if (declared > max) {
                throw tooLarge(max);
            }
        }
        return new Limited(body == null ? InputStream.nullInputStream() : body, max,
                System.nanoTime() + readTimeout.toNanos());
    }

    static byte[] readAll(InputStream body) {
        try (body) {
            return body.readAllBytes();
        } catch (IOException e) {
            throw ImageFnException.invalid("the body could not be read");
        }
    }

    private static ImageFnException tooLarge(long max) {
        return new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than " + max + " bytes");
    }

    /**
     * Counts and times the body as it is read. Closing it closes the server's stream only once the body was read to
     * its end: the Quarkus REST server's stream drains the rest of the body when closed, which for a body that was
     * refused or cut would hold the worker until the client stops sending, however slowly or however much it sends.
     * The rest of such a body is left unread, and the HTTP layer closes the connection after the answer.
     */
    private static final class Limited extends FilterInputStream {
        private final long max;
        private final long deadlineNanos;
        private long read;
        private boolean ended;

        Limited(InputStream in, long max, long deadlineNanos) {
            super(in);
            this.max = max;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public int read() throws IOException {
            check(0);
            int b = super.read();
            if (b >= 0) {
                check(1);
            } else {
                ended = true;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            check(0);
            int n = super.read(buf, off, (int) Math.min(len, max - read + 1));
            if (n > 0) {
                check(n);
            } else if (n < 0) {
                ended = true;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            if (ended) {
                super.close();
            }
        }

        private void check(int n) {
            read += n;
            if (read > max) {
                throw tooLarge(max);
            }
            if (System.nanoTime() > deadlineNanos) {
                // RFC 9110 408: nothing was paid for, and the sender may send it again (Knative retries a 408).
                throw new ImageFnException(ErrorCode.REQUEST_TIMEOUT, "the body did not arrive in time");
            }
        }
    }

    /** {@code base}, shortened by the caller's {@code X-Timeout-Ms} (e.g. a gateway's own limit). */
    static Deadline deadline(Deadline base, String timeoutHeader) {
        if (timeoutHeader == null || timeoutHeader.isBlank()) {
            return base;
        }
        try {
            long ms = Long.parseLong(timeoutHeader.strip());
            if (ms <= 0) {
                throw new NumberFormatException();
            }
            return base.atMost(Duration.ofMillis(ms));
        } catch (NumberFormatException e) {
            throw ImageFnException.invalid(TIMEOUT_HEADER + " must be a positive number of milliseconds");
        }
    }
}
