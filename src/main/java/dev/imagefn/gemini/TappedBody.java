package dev.imagefn.gemini;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.vertx.core.Context;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One answer's body as {@link BodyTap} takes it off the connection: Netty's own (pooled, off-heap) buffers, held
 * until read and released then. The event loop offers; one reading thread takes. Reading is throttled by the
 * channel's auto-read: it stops when {@value #HIGH} bytes wait and starts again when at most {@value #LOW} do.
 */
final class TappedBody {
    static final int HIGH = 256 * 1024;
    static final int LOW = 64 * 1024;
    /** A waiting reader is woken at the end of each socket read, or sooner once this much waits. */
    private static final int WAKE = 64 * 1024;
    /** What a body the reader is done with may still send before its connection is closed instead of kept. */
    static final int DRAIN = 1024 * 1024;

    private final Channel channel;
    private final long timeoutNanos;
    /** The lock, and the buffers it guards: what a {@link Cleaner} releases if this body is dropped unread. */
    private final Held held = new Held();
    private long queued;
    private boolean paused;
    private boolean active;
    private boolean ended;
    private boolean discarding;
    private boolean waiting;
    private long dropped;
    private boolean cut;
    private Throwable failure;
    private long lastOfferNanos = System.nanoTime();

    TappedBody(Channel channel, long timeoutMillis, Cleaner cleaner) {
        this.channel = channel;
        this.timeoutNanos = timeoutMillis > 0 ? TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
        cleaner.register(this, held::release); // a body the REST client never handed on (a call cancelled meanwhile)
    }

    private static final class Held {
        final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();

        void release() {
            synchronized (this) {
                for (ByteBuf b; (b = queue.poll()) != null; ) {
                    b.release();
                }
            }
        }
    }

    // ---- the event loop's side (BodyTap) ----

    /** A 200 head arrived: the body that follows is ours. */
    void begin() {
        synchronized (held) {
            active = true;
            lastOfferNanos = System.nanoTime();
        }
    }

    boolean active() {
        synchronized (held) {
            return active;
        }
    }

    /** Takes ownership of {@code data}. */
    void offer(ByteBuf data) {
        synchronized (held) {
            lastOfferNanos = System.nanoTime();
            if (discarding || ended) {
                dropped += data.readableBytes();
                data.release();
                if (discarding && !ended && !cut && dropped > DRAIN) {
                    cut = true;
                    channel.close(); // an endless or huge rest is not drained
                }
                return;
            }
            held.queue.add(data);
            queued += data.readableBytes();
            if (!paused && queued >= HIGH) {
                paused = true;
                channel.config().setAutoRead(false);
            }
            if (waiting && queued >= WAKE) {
                wake();
            }
        }
    }

    /**
     * Whether no byte came for about the read timeout: the connection's idle timeout, which runs from the last
     * socket read, may close it a moment before the reader's own timeout fires, and that is the same timeout.
     */
    boolean stalled() {
        synchronized (held) {
            // Paused, the connection waits for the reader, not for Gemini.
            return !paused && timeoutNanos > 0 && System.nanoTime() - lastOfferNanos >= timeoutNanos - timeoutNanos / 10;
        }
    }

    /** The end of one socket read. */
    void readComplete() {
        synchronized (held) {
            if (waiting && queued > 0) {
                wake();
            }
        }
    }

    /**
     * The body ended ({@code failure} null) or was cut; nothing more is offered. False when it had been cut before
     * (by the reader's read timeout, which closes the connection).
     */
    boolean end(Throwable failure) {
        synchronized (held) {
            if (ended) {
                return this.failure == null;
            }
            ended = true;
            this.failure = failure;
            if (failure != null) {
                releaseAll();
            }
            resume();
            wake();
            return true;
        }
    }

    // ---- the reader's side (ResponseBodyStream) ----

    /**
     * Copies up to {@code len} bytes into {@code b}: -1 at the end. The buffer being read stays in the queue until
     * drained, so {@link #discard()} (and the cleaner) can always release it.
     */
    int read(byte[] b, int off, int len) throws IOException {
        if (Context.isOnEventLoopThread()) { // it would wait for data only an event loop can deliver
            throw new IOException("Gemini's answer cannot be read on an event loop");
        }
        synchronized (held) {
            ByteBuf head = head();
            if (head == null) {
                return -1;
            }
            int n = Math.min(len, head.readableBytes());
            head.readBytes(b, off, n);
            queued -= n;
            if (!head.isReadable()) {
                held.queue.poll().release();
            }
            if (paused && queued <= LOW) {
                resume();
            }
            return n;
        }
    }

    /**
     * The first buffer with bytes in it, waiting for one if need be; null at the end. An interrupt (the deadline)
     * stops the reader even while bytes keep coming.
     */
    private ByteBuf head() throws IOException {
        if (discarding) {
            throw new IOException("Stream is closed");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while reading Gemini's answer");
        }
        long deadline = System.nanoTime() + timeoutNanos; // timeoutNanos 0: no limit, as for the REST client
        while (true) {
            ByteBuf b = held.queue.peek();
            if (b != null) {
                if (b.isReadable()) {
                    return b;
                }
                held.queue.poll().release();
                continue;
            }
            if (failure != null) {
                throw failure instanceof IOException io ? new IOException(io.getMessage(), io) : new IOException(failure);
            }
            if (ended) {
                return null;
            }
            long left = deadline - System.nanoTime();
            if (timeoutNanos > 0 && left <= 0) {
                end(new IOException("Read timed out"));
                channel.close();
                throw (IOException) failure;
            }
            waiting = true;
            try {
                if (timeoutNanos > 0) {
                    TimeUnit.NANOSECONDS.timedWait(held, left);
                } else {
                    held.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading Gemini's answer");
            } finally {
                waiting = false;
            }
        }
    }

    int available() {
        synchronized (held) {
            return (int) Math.min(Integer.MAX_VALUE, queued);
        }
    }

    /** A view of the first buffer held (the one being read, if any), sharing its reference count (tests). */
    ByteBuf firstHeld() {
        synchronized (held) {
            return held.queue.isEmpty() ? null : held.queue.peek().duplicate();
        }
    }

    /**
     * The reader is done, early or not: what waits is released, and what still comes is dropped as it arrives so
     * that the connection stays usable, as the REST client does with a body closed early; past {@link #DRAIN}
     * bytes the connection is closed instead.
     */
    void discard() {
        synchronized (held) {
            discarding = true;
            releaseAll();
            resume();
            wake();
        }
    }

    private void releaseAll() {
        held.release();
        queued = 0;
    }

    private void resume() {
        if (paused) {
            paused = false;
            lastOfferNanos = System.nanoTime(); // the silence runs from here, not from before the pause
            channel.config().setAutoRead(true);
        }
    }

    private void wake() {
        if (waiting) {
            waiting = false;
            held.notify();
        }
    }
}
