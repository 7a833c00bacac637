package dev.imagefn.gemini;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The body as the JSON parser reads it, keeping the last 32 KiB it handed over: the start of a string value the
 * parser has already buffered (its buffer is 8000 bytes) can then be looked at without reading the value.
 */
final class RecentBytes extends FilterInputStream {
    private static final int KEEP = 32 * 1024;
    private final byte[] ring = new byte[KEEP];
    private long total;

    RecentBytes(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            ring[(int) (total++ % KEEP)] = (byte) b;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, Math.min(len, KEEP / 2));
        for (int done = 0; done < n; ) {
            int at = (int) ((total + done) % KEEP);
            int take = Math.min(n - done, KEEP - at);
            System.arraycopy(b, off + done, ring, at, take);
            done += take;
        }
        if (n > 0) {
            total += n;
        }
        return n;
    }

    /** Up to {@code max} bytes from stream offset {@code from} on, of those already read and still kept. */
    byte[] since(long from, int max) {
        long start = Math.max(from, Math.max(0, total - KEEP));
        int n = (int) Math.max(0, Math.min(max, total - start));
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = ring[(int) ((start + i) % KEEP)];
        }
        return out;
    }
}
