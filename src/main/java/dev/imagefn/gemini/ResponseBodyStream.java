package dev.imagefn.gemini;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Gemini answer's body as {@link BodyTap} took it off the connection, read on a worker thread. Each buffer is
 * copied once, into the reader's array, and released at once. Closing it early drops the rest; a stream dropped
 * without being closed is closed when collected, so Netty's buffers always go back to its pool.
 */
final class ResponseBodyStream extends InputStream {
    private static final LongAdder TAPPED = new LongAdder();

    private final TappedBody body;
    private final Cleaner.Cleanable cleanable;
    private ByteBuf current;
    private boolean closed;

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
        if (len == 0) {
            return 0;
        }
        if (current == null && (current = body.next()) == null) {
            return -1;
        }
        int n = Math.min(len, current.readableBytes());
        current.readBytes(b, off, n);
        if (!current.isReadable()) {
            current.release();
            current = null;
        }
        return n;
    }

    @Override
    public int available() {
        return closed ? 0 : (current == null ? 0 : current.readableBytes()) + body.available();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (current != null) {
            current.release();
            current = null;
        }
        cleanable.clean();
    }

    /** Bodies read through a tap so far in this process (tests). */
    static long tapped() {
        return TAPPED.sum();
    }
}
