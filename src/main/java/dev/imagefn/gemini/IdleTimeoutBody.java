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
 * A response body from the JDK's HttpClient, whose request timeout ends with the headers: when a read waits
 * {@code idle} for a byte, or the deadline passes, the body is closed and the read fails as {@link Stalled}. Time
 * the caller spends between reads does not count.
 */
final class IdleTimeoutBody extends FilterInputStream {
    private final Duration idle;
    private final Deadline deadline;
    private final String what;
    private volatile ScheduledFuture<?> check;
    private volatile long readSince;
    private volatile boolean reading;
    private volatile boolean expired;

    IdleTimeoutBody(InputStream body, Duration idle, Deadline deadline, String what, ScheduledExecutorService timer) {
        super(body);
        this.idle = idle;
        this.deadline = deadline;
        this.what = what;
        long period = Math.clamp(idle.toMillis() / 4, 10, 1_000);
        this.check = timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
        if (expired) {
            stopChecking();
        }
    }

    private void check() {
        if ((reading && System.nanoTime() - readSince > idle.toNanos()) || deadline.expired()) {
            expired = true;
            stopChecking();
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
        if (expired) {
            throw stalled(null);
        }
        int n;
        readSince = System.nanoTime();
        reading = true;
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            throw expired ? stalled(e) : e;
        } finally {
            reading = false;
        }
        if (expired) {
            throw stalled(null);
        }
        if (n < 0) {
            stopChecking();
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

    private void stopChecking() {
        ScheduledFuture<?> c = check;
        if (c != null) {
            c.cancel(false);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        byte[] buffer = new byte[(int) Math.clamp(n, 1, 8192)];
        long left = n;
        for (int r; left > 0 && (r = read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0; ) {
            left -= r;
        }
        return n - Math.max(left, 0);
    }

    @Override
    public void close() throws IOException {
        stopChecking();
        super.close();
    }
}
