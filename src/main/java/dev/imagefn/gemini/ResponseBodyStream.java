package dev.imagefn.gemini;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Gemini answer's body as {@link BodyTap} took it off the connection, read on a worker thread. Each buffer is
 * copied once, into the reader's array, and released once read. Closing it early drops the rest; a stream dropped
 * without being closed is closed when collected, so Netty's buffers always go back to its pool.
 */
final class ResponseBodyStream extends InputStream {
    private static final LongAdder TAPPED = new LongAdder();

    private final TappedBody body;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    ResponseBodyStream(TappedBody body, Cleaner cleaner) {
        this.body = body;
        this.cleanable = cleaner.register(this, body::discard);
        TAPPED.increment();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("Stream is closed");
        }
        return len == 0 ? 0 : body.read(b, off, len);
    }

    @Override
    public int available() {
        return closed ? 0 : body.available();
    }

    @Override
    public void close() {
        closed = true;
        cleanable.clean(); // once only, whoever calls it
    }

    /** Bodies read through a tap so far in this process (tests). */
    static long tapped() {
        return TAPPED.sum();
    }
}
