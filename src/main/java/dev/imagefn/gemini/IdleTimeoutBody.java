package dev.imagefn.gemini;

import dev.imagefn.core.Deadline;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A response body from the JDK's HttpClient, whose request timeout ends with the headers: when no byte arrives for
 * {@code idle}, or the deadline passes, the body is closed and the read fails. (Closing that body from another
 * thread only ends a blocked read as an end of stream, which would pass a cut body for a whole one.)
 */
final class IdleTimeoutBody extends FilterInputStream {
    private final Duration idle;
    private final Deadline deadline;
    private final String what;
    private final ScheduledFuture<?> check;
    private volatile long lastRead = System.nanoTime();
    private volatile boolean expired;

    IdleTimeoutBody(InputStream body, Duration idle, Deadline deadline, String what, ScheduledExecutorService timer) {
        super(body);
        this.idle = idle;
        this.deadline = deadline;
        this.what = what;
        long period = Math.clamp(idle.toMillis() / 4, 10, 1_000);
        this.check = timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    private void check() {
        if (System.nanoTime() - lastRead > idle.toNanos() || deadline.expired()) {
            expired = true;
            check.cancel(false);
            try {
                in.close();
            } catch (IOException ignored) {
                // the read fails either way
            }
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            throw expired ? stalled(e) : e;
        }
        if (expired) {
            throw stalled(null);
        }
        lastRead = System.nanoTime();
        if (n < 0) {
            check.cancel(false);
        }
        return n;
    }

    /** The body stalled or outlived the deadline. */
    static final class Stalled extends IOException {
        Stalled(String message, IOException cause) {
            super(message, cause);
        }
    }

    private IOException stalled(IOException cause) {
        return new Stalled((deadline.expired() ? "the deadline passed while reading " : "no byte for "
                + idle.toMillis() + " ms while reading ") + what, cause);
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.clamp(n, 1, 8192)];
        long left = n;
        for (int r; left > 0 && (r = read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0; ) {
            left -= r;
        }
        return n - Math.max(left, 0);
    }

    @Override
    public void close() throws IOException {
        check.cancel(false);
        super.close();
    }
}
