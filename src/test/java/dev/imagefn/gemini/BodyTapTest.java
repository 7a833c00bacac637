package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The tap's own rules on an {@link EmbeddedChannel}, where the order of events is the test's to choose. */
class BodyTapTest {
    private static final Cleaner CLEANER = Cleaner.create();

    private static TappedBody answered(EmbeddedChannel ch, BodyTap tap) {
        TappedBody body = new TappedBody(ch, 60_000, CLEANER);
        tap.armNext(body);
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"));
        ch.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ch.writeInbound(new DefaultHttpContent(Unpooled.copiedBuffer("{\"candidates\":", StandardCharsets.US_ASCII)));
        assertTrue(body.active());
        assertTrue(ch.readInbound() instanceof HttpResponse, "Vert.x gets the head");
        assertNull(ch.readInbound(), "and not the body's bytes");
        return body;
    }

    @Test
    void anAnswerThatEndsWholeIsEndedForVertxToo() {
        BodyTap tap = new BodyTap();
        EmbeddedChannel ch = new EmbeddedChannel(tap);
        answered(ch, tap);
        ch.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("[]}", StandardCharsets.US_ASCII)));
        LastHttpContent end = ch.readInbound();
        assertEquals(0, end.content().readableBytes(), "the end, without the bytes the reader has");
        assertTrue(ch.isOpen());
        end.release();
    }

    /**
     * The reader's read timeout cut the body and asked the connection to close; the last chunk came in between. If
     * Vert.x got that end it would take the exchange as complete and lend the connection to the next request, which
     * the queued close would then cut. The end is kept from Vert.x and the connection closed.
     */
    @Test
    void anEndAfterTheReaderTimedOutIsNotPassedOnAndTheConnectionCloses() {
        BodyTap tap = new BodyTap();
        EmbeddedChannel ch = new EmbeddedChannel(tap);
        TappedBody body = answered(ch, tap);
        assertTrue(body.end(new IOException("Read timed out")), "the reader's cut ends it");
        ch.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("[]}", StandardCharsets.US_ASCII)));
        assertNull(ch.readInbound(), "Vert.x never sees the end of a body that was cut");
        assertFalse(ch.isOpen(), "the connection is closed, not lent again");
    }
}
