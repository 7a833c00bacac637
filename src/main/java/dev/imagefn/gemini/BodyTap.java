package dev.imagefn.gemini;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.util.ArrayDeque;

/**
 * Takes the body of a 200 answer off an HTTP/1.x connection of the Vert.x client before Vert.x sees it, so that its
 * buffers reach the reader as Netty read them. Vert.x would copy every buffer to the heap first
 * ({@code VertxHandler.safeBuffer}): for a 4K image that is 20 MB of garbage per answer. Vert.x still gets the head
 * and the end (without the bytes), so its pool, timeouts and tracing see a whole exchange; its byte counts and the
 * REST client's body logging see an empty body.
 *
 * <p>One tap per connection, placed just before Vert.x's handler (after TLS, the HTTP codec and any decompression).
 * It sees each request head Vert.x writes and each answer head, so it pairs them in order, as HTTP/1.x does
 * (pipelined or not): an answer is taken only for a request that was armed.
 */
final class BodyTap extends ChannelDuplexHandler {
    static final String NAME = "imagefn-body-tap";
    private static final String VERTX_HANDLER = "handler";
    /** The entry of a request written without an arm. */
    private static final Object UNARMED = new Object();

    /** Armed for the next request written; an arm whose request is never written is replaced by the next. */
    private TappedBody armed;
    /** One entry per request written and not yet answered, in order: answers come in the order of the requests. */
    private final ArrayDeque<Object> written = new ArrayDeque<>();
    private TappedBody current;

    /**
     * Arms the tap of {@code request}'s connection for its answer; the REST client calls this before it sends the
     * request. Off the connection's event loop the arming is queued there, ahead of the request's own write, so it
     * still happens before any answer. Null where the tap cannot apply (HTTP/2, an unknown connection); a body that
     * never becomes {@linkplain TappedBody#active() active} (no 200, an unknown pipeline) the REST client reads itself.
     */
    static TappedBody arm(HttpClientRequest request, long timeoutMillis, Cleaner cleaner) {
        if (request.version() == HttpVersion.HTTP_2 || !(request.connection() instanceof ConnectionBase connection)) {
            return null;
        }
        Channel channel = connection.channel();
        TappedBody body = new TappedBody(channel, timeoutMillis, cleaner);
        if (channel.eventLoop().inEventLoop()) {
            armOn(channel, body);
        } else {
            channel.eventLoop().execute(() -> armOn(channel, body));
        }
        return body;
    }

    private static void armOn(Channel channel, TappedBody body) {
        ChannelPipeline pipeline = channel.pipeline();
        if (!channel.isActive() || pipeline.get(HttpClientCodec.class) == null
                || pipeline.context(VERTX_HANDLER) == null) {
            return;
        }
        BodyTap tap = pipeline.get(BodyTap.class);
        if (tap == null) {
            tap = new BodyTap();
            pipeline.addBefore(VERTX_HANDLER, NAME, tap);
        }
        tap.armNext(body);
    }

    /** On the event loop: the next request written is answered into {@code body}. */
    void armNext(TappedBody body) {
        armed = body;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpRequest) {
            written.add(armed != null ? armed : UNARMED);
            armed = null;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse head && !(msg instanceof HttpContent)) {
            int status = head.status().code();
            if (status != 100 && status != 103) { // as for Vert.x, the interim answers before the real one
                if (current != null) {
                    current.end(new IOException("a new answer began before Gemini's answer ended"));
                    current = null;
                }
                Object answered = written.poll();
                if (answered instanceof TappedBody body && status == 200 && head.decoderResult().isSuccess()) {
                    body.begin();
                    current = body;
                }
            }
        } else if (current != null && msg instanceof HttpContent content) {
            take(ctx, content);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void take(ChannelHandlerContext ctx, HttpContent content) {
        TappedBody body = current;
        if (content.decoderResult().isFailure()) { // a cut or a malformed chunk: Vert.x fails the connection
            current = null;
            body.end(content.decoderResult().cause());
            ctx.fireChannelRead(content);
            return;
        }
        boolean last = content instanceof LastHttpContent;
        ByteBuf data = content.content();
        boolean bytes = data.isReadable(); // once offered, the reader may have read it already
        if (bytes) {
            body.offer(data); // the body's to release now
        }
        if (last) {
            current = null;
            if (!body.end(null)) {
                // The reader gave up first (its read timeout) and is closing the connection: Vert.x must not get
                // the end, or it would hand the connection to the next request just before the close cuts it.
                if (!bytes) {
                    ReferenceCountUtil.release(content);
                }
                ctx.close();
                return;
            }
            // Ended before Vert.x hands the connection to the next request.
            LastHttpContent end = (LastHttpContent) content;
            ctx.fireChannelRead(bytes ? end.replace(Unpooled.EMPTY_BUFFER) : end);
        } else if (!bytes) {
            ReferenceCountUtil.release(content);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (current != null) {
            current.readComplete();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cut();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cut();
    }

    private void cut() {
        armed = null;
        written.clear();
        if (current != null) {
            current.end(new IOException(current.stalled() ? "Read timed out: no byte of Gemini's answer for "
                    + "imagefn.gemini.timeout" : "Connection closed before Gemini's answer ended"));
            current = null;
        }
    }
}
