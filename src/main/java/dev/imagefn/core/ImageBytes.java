package dev.imagefn.core;

import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Image bytes held in fixed-size blocks. A growing {@code byte[]} would copy a 15 MB image several times
 * while it is decoded and briefly hold two or three times its size; full blocks are never copied, and a
 * part-filled last block is cut to size once written, so one image costs its own size.
 */
public final class ImageBytes {
    // Under half of G1's smallest region (1 MiB), so a block is never a humongous object.
    static final int BLOCK = 256 << 10;

    private final List<byte[]> blocks;
    private final long length;
    private volatile String sha256Hex;

    private ImageBytes(List<byte[]> blocks, long length, String sha256Hex) {
        this.blocks = blocks;
        this.length = length;
        this.sha256Hex = sha256Hex;
    }

    public static ImageBytes of(byte[] data) {
        Sink sink = new Sink(Long.MAX_VALUE);
        sink.write(data, 0, data.length);
        return sink.toBytes();
    }

    public long length() {
        return length;
    }

    /** Byte {@code index} as 0..255. */
    public int at(long index) {
        return blocks.get((int) (index / BLOCK))[(int) (index % BLOCK)] & 0xff;
    }

    /** The first {@code max} bytes (fewer when the image is shorter): enough for magic numbers and headers. */
    public byte[] head(int max) {
        int n = (int) Math.min(max, length);
        byte[] out = new byte[n];
        int done = 0;
        for (byte[] block : blocks) {
            if (done == n) {
                break;
            }
            int take = Math.min(block.length, n - done);
            System.arraycopy(block, 0, out, done, take);
            done += take;
        }
        return out;
    }

    public byte[] toArray() {
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("image too large for one array");
        }
        return head((int) length);
    }

    /** SHA-256 of the bytes, hex; computed while they were written when they came through a {@link Sink}. */
    public String sha256Hex() {
        String known = sha256Hex;
        if (known != null) {
            return known;
        }
        MessageDigest digest = Hashes.sha256();
        long left = length;
        for (byte[] block : blocks) {
            int take = (int) Math.min(block.length, left);
            digest.update(block, 0, take);
            left -= take;
        }
        sha256Hex = HexFormat.of().formatHex(digest.digest());
        return sha256Hex;
    }

    /** A fresh stream over the bytes; may be called again (retried uploads). */
    public InputStream open() {
        return new InputStream() {
            private long position;

            @Override
            public int read() {
                if (position >= length) {
                    return -1;
                }
                byte b = blocks.get((int) (position / BLOCK))[(int) (position % BLOCK)];
                position++;
                return b & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= length) {
                    return -1;
                }
                int inBlock = (int) (position % BLOCK);
                int n = (int) Math.min(Math.min(len, BLOCK - inBlock), length - position);
                System.arraycopy(blocks.get((int) (position / BLOCK)), inBlock, b, off, n);
                position += n;
                return n;
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, length - position);
            }
        };
    }

    /**
     * An {@link OutputStream} that collects into blocks, refusing more than {@code max} bytes, and hashes what
     * it takes on the way (one pass over a large image instead of two).
     */
    public static final class Sink extends OutputStream {
        private final List<byte[]> blocks = new ArrayList<>();
        private final MessageDigest digest = Hashes.sha256();
        private final long max;
        private byte[] current;
        private int used = BLOCK;
        private long length;

        public Sink(long max) {
            this.max = max;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (used < 0) {
                throw new IllegalStateException("the sink's bytes were taken");
            }
            if (length + len > max) {
                throw new TooLarge(max);
            }
            digest.update(b, off, len);
            while (len > 0) {
                if (used == BLOCK) {
                    current = new byte[BLOCK];
                    blocks.add(current);
                    used = 0;
                }
                int n = Math.min(len, BLOCK - used);
                System.arraycopy(b, off, current, used, n);
                used += n;
                off += n;
                len -= n;
                length += n;
            }
        }

        public long length() {
            return length;
        }

        /**
         * The bytes written; a part-filled last block is cut to size, so many small images hold only their bytes.
         * The sink takes no more bytes after it.
         */
        public ImageBytes toBytes() {
            if (used < 0) {
                throw new IllegalStateException("the sink's bytes were taken");
            }
            if (current != null && used < BLOCK) {
                blocks.set(blocks.size() - 1, java.util.Arrays.copyOf(current, used));
            }
            current = null;
            used = -1;
            return new ImageBytes(List.copyOf(blocks), length, HexFormat.of().formatHex(digest.digest()));
        }
    }

    /** Thrown by a {@link Sink} that would exceed its limit. */
    public static final class TooLarge extends RuntimeException {
        public TooLarge(long max) {
            super("more than " + max + " bytes", null, false, false);
        }
    }
}
