package dev.imagefn.gemini;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.TimeUnit;
import org.jboss.resteasy.reactive.common.core.BlockingNotAllowedException;

/**
 * A Vert.x response body read on a worker thread with {@value #WINDOW} buffers of demand at a time.
 *
 * <p>The REST client's own stream asks for one buffer per read, so every network chunk costs two thread
 * hand-offs (worker → event loop for the demand, event loop → worker for the data); a 4K image's answer is
 * thousands of chunks. Here the worker asks for half a window at once, and a worker waiting for data is woken once
 * for all the buffers the event loop hands over before it runs again (those of one socket read, typically): at
 * most {@value #WINDOW} buffers wait in memory.
 */
final class ResponseBodyStream extends InputStream {
    static final int WINDOW = 32;
    private static final int HALF = WINDOW / 2;
    private static final LongAdder TAKEN_OVER = new LongAdder();

    private final HttpClientResponse response;
    private final long timeoutNanos;
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private int requested;
    private boolean ended;
    private Throwable failure;
    private boolean waiting;
    private boolean closed;
    private ByteBuf current;

    private ResponseBodyStream(HttpClientResponse response, long timeoutMillis) {
        this.response = response;
        this.timeoutNanos = timeoutMillis > 0 ? TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
    }

    /**
     * Takes the body over from the REST client's stream, on {@code context}, the one that delivers the response's
     * buffers, so that none can arrive meanwhile; whatever the REST client's stream already holds is read first.
     * On that context's thread (where the REST client runs the filter) this happens at once; from another thread it
     * is queued on the context and waited for. On any other event-loop thread, which must not wait, the REST
     * client's stream is answered unchanged.
     */
    static InputStream takeOver(Context context, HttpClientResponse response, InputStream restClientStream,
            long timeoutMillis) throws IOException {
        if (restClientStream == null || !context.isEventLoopContext()) {
            return restClientStream;
        }
        if (Context.isOnEventLoopThread()) {
            return Vertx.currentContext() == context ? onContext(response, restClientStream, timeoutMillis)
                    : restClientStream;
        }
        CompletableFuture<ResponseBodyStream> taken = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                taken.complete(onContext(response, restClientStream, timeoutMillis));
            } catch (Throwable t) {
                taken.completeExceptionally(t);
            }
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return timeoutMillis > 0 ? taken.get(timeoutMillis, TimeUnit.MILLISECONDS) : taken.get();
                } catch (InterruptedException e) {
                    // The switch is queued and will happen: wait for it, then let the caller see the interrupt.
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            throw new IOException("could not take over Gemini's answer", e.getCause());
        } catch (TimeoutException e) {
            taken.thenAccept(ResponseBodyStream::close);
            throw new IOException("Read timed out", e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ResponseBodyStream onContext(HttpClientResponse response, InputStream restClientStream,
            long timeoutMillis) {
        ResponseBodyStream s = new ResponseBodyStream(response, timeoutMillis);
        TAKEN_OVER.increment();
        byte[] chunk = new byte[8192];
        try {
            while (true) {
                int n = restClientStream.read(chunk);
                if (n < 0) {
                    s.ended = true;
                    break;
                }
                s.queue.add(Unpooled.copiedBuffer(chunk, 0, n));
            }
        } catch (BlockingNotAllowedException e) {
            // It holds nothing more and would wait: the rest comes to the handlers below. One buffer is asked for.
            s.requested = 1;
        } catch (IOException e) {
            s.failure = e.getCause() != null ? e.getCause() : e;
            s.ended = true;
        }
        if (!s.ended) {
            response.handler(s::arrived);
            response.endHandler(v -> s.end(null));
            response.exceptionHandler(s::end);
        }
        return s;
    }

    private synchronized void arrived(Buffer b) {
        if (closed) {
            return;
        }
        queue.add(b.getByteBuf());
        requested = Math.max(0, requested - 1);
        if (waiting) {
            waiting = false;
            notify();
        }
    }

    private synchronized void end(Throwable t) {
        if (ended) {
            return;
        }
        failure = t;
        ended = true;
        if (waiting) {
            waiting = false;
            notify();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (current == null && (current = next()) == null) {
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
    public synchronized int available() {
        int n = current == null ? 0 : current.readableBytes();
        for (ByteBuf q : queue) {
            n += q.readableBytes();
        }
        return n;
    }

    private synchronized ByteBuf next() throws IOException {
        if (closed) {
            throw new IOException("Stream is closed");
        }
        long deadline = System.nanoTime() + timeoutNanos;  // timeoutNanos 0: no limit, as for the REST client
        while (true) {
            ByteBuf b = queue.poll();
            if (b != null) {
                if (!b.isReadable()) {
                    b.release();
                    continue;
                }
                demand();
                return b;
            }
            if (failure != null) {
                throw failure instanceof IOException io ? new IOException(io.getMessage(), io)
                        : new IOException(failure);
            }
            if (ended) {
                return null;
            }
            demand();
            long left = deadline - System.nanoTime();
            if (timeoutNanos > 0 && left <= 0) {
                failure = new IOException("Read timed out");
                ended = true;
                response.request().connection().close();
                throw (IOException) failure;
            }
            waiting = true;
            try {
                if (timeoutNanos > 0) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } else {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading Gemini's answer");
            } finally {
                waiting = false;
            }
        }
    }

    /** Tops the demand up to a window once half of it has been used. */
    private void demand() {
        int outstanding = requested + queue.size();
        if (!ended && outstanding <= HALF) {
            int more = WINDOW - outstanding;
            requested += more;
            response.fetch(more);
        }
    }

    @Override
    public void close() {
        boolean discard;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            discard = !ended;
            if (current != null) {
                current.release();
                current = null;
            }
            queue.forEach(ByteBuf::release);
            queue.clear();
        }
        if (discard) {
            // As the REST client does: read the rest to nowhere so the connection stays usable.
            response.pause().handler(null).exceptionHandler(null).endHandler(null).resume();
        }
    }

    /** Bodies taken over so far in this process (tests). */
    static long takenOver() {
        return TAKEN_OVER.sum();
    }
}
