package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PfxOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The body tap on a real Vert.x client and server (127.0.0.1, port 0), armed as the REST client's customizer arms it:
 * on the event loop, before the request is sent. The client has one connection, so every test also shows that the
 * connection is fit for the next request after what it did to it.
 */
class ResponseBodyStreamTest {
    private static final int CHUNK = 4096;
    private static final int CHUNKS = 2_000;
    private static final Cleaner CLEANER = Cleaner.create();

    private static Vertx vertx;
    private static HttpServer server;
    private HttpClient client;
    private static volatile Consumer<HttpServerResponse> answer;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(req -> answer.accept(req.response())).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void newClient() {
        client = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(1));
    }

    @AfterEach
    void closeClient() throws Exception {
        client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static byte[] pattern(int length, int seed) {
        byte[] all = new byte[length];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i * 31 + i / CHUNK + seed);
        }
        return all;
    }

    /** The next request is answered with {@code chunks} HTTP chunks (as the stand-in and Google send an answer). */
    private static byte[] answerChunked(int chunks, boolean end) {
        byte[] all = pattern(chunks * CHUNK, chunks);
        answer = r -> {
            r.setChunked(true);
            for (int c = 0; c < chunks; c++) {
                r.write(Buffer.buffer().appendBytes(all, c * CHUNK, CHUNK));
            }
            if (end) {
                r.end();
            }
        };
        return all;
    }

    /** An answer, with what Vert.x itself delivered of its body counted. */
    private record Exchange(HttpClientResponse response, TappedBody body, AtomicLong vertxBytes,
            CompletableFuture<Void> vertxEnd) {
        InputStream stream() {
            assertNotNull(body, "no tap on an HTTP/1.1 connection");
            assertTrue(body.active(), "the tap did not take a 200's body");
            return new ResponseBodyStream(body, CLEANER);
        }
    }

    private Exchange call(long timeoutMillis, boolean armOffTheEventLoop) throws Exception {
        return call(client, server.actualPort(), timeoutMillis, armOffTheEventLoop);
    }

    private static Exchange call(HttpClient client, int port, long timeoutMillis, boolean armOffTheEventLoop)
            throws Exception {
        CompletableFuture<Exchange> f = new CompletableFuture<>();
        client.request(HttpMethod.GET, port, "127.0.0.1", "/").onSuccess(req -> {
            Runnable armAndSend = () -> {
                TappedBody body = BodyTap.arm(req, timeoutMillis, CLEANER);
                AtomicLong seen = new AtomicLong();
                CompletableFuture<Void> end = new CompletableFuture<>();
                req.send().onSuccess(r -> {
                    r.handler(b -> seen.addAndGet(b.length())).endHandler(v -> end.complete(null));
                    f.complete(new Exchange(r, body, seen, end));
                }).onFailure(f::completeExceptionally);
            };
            if (armOffTheEventLoop) { // the arming is queued on the event loop, ahead of the request's write
                Thread.ofPlatform().start(armAndSend);
            } else {
                armAndSend.run();
            }
        }).onFailure(f::completeExceptionally);
        return f.get(10, TimeUnit.SECONDS);
    }

    private Exchange call(long timeoutMillis) throws Exception {
        return call(client, server.actualPort(), timeoutMillis, false);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Runs the collector (and so the cleaners) until {@code done}, for at most 20 s. */
    private static void collectUntil(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
    }

    /** The one connection answers another request in full. */
    private void connectionStillServes() throws Exception {
        byte[] sent = answerChunked(10, true);
        try (InputStream in = call(10_000).stream()) {
            assertArrayEquals(sent, readAll(in));
        }
    }

    @Test
    void aLongChunkedBodyReachesTheReaderIntactWithoutPassingThroughVertx() throws Exception {
        byte[] sent = answerChunked(CHUNKS, true);
        Exchange e = call(10_000);
        try (InputStream in = e.stream()) {
            assertArrayEquals(sent, readAll(in));
        }
        e.vertxEnd().get(10, TimeUnit.SECONDS); // Vert.x still sees the answer end, so its pool gets the connection back
        assertEquals(0, e.vertxBytes().get(), "Vert.x copied the body's buffers");
        connectionStillServes();
    }

    @Test
    void overTlsTheDecryptedBodyIsTakenToo() throws Exception {
        Path store = Files.createTempDirectory("tap-tls").resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "secret123").inheritIO().start();
        assertEquals(0, keytool.waitFor());
        HttpServer tls = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                        .setKeyCertOptions(new PfxOptions().setPath(store.toString()).setPassword("secret123")))
                .requestHandler(req -> answer.accept(req.response())).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        HttpClient tlsClient = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
                .setVerifyHost(false), new PoolOptions().setHttp1MaxSize(1));
        try {
            byte[] sent = answerChunked(500, true);
            Exchange e = call(tlsClient, tls.actualPort(), 10_000, false);
            try (InputStream in = e.stream()) {
                assertArrayEquals(sent, readAll(in));
            }
            assertEquals(0, e.vertxBytes().get());
        } finally {
            tlsClient.close();
            tls.close();
        }
    }

    @Test
    void armedFromAnotherThreadTheTapStillTakesTheBody() throws Exception {
        byte[] sent = answerChunked(100, true);
        Exchange e = call(10_000, true);
        try (InputStream in = e.stream()) {
            assertArrayEquals(sent, readAll(in));
        }
        assertEquals(0, e.vertxBytes().get());
    }

    @Test
    void aBodyWithAContentLengthIsTakenToo() throws Exception {
        byte[] sent = pattern(300_000, 7);
        answer = r -> r.end(Buffer.buffer(sent));
        Exchange e = call(10_000);
        try (InputStream in = e.stream()) {
            assertArrayEquals(sent, readAll(in));
        }
        assertEquals(0, e.vertxBytes().get());
        connectionStillServes();
    }

    @Test
    void anEmptyBodyIsEmpty() throws Exception {
        answer = HttpServerResponse::end;
        try (InputStream in = call(10_000).stream()) {
            assertEquals(-1, in.read());
        }
        connectionStillServes();
    }

    @Test
    void aReaderThatDoesNotReadStopsTheConnectionReadingAtTheHighMark() throws Exception {
        byte[] sent = answerChunked(5_000, true); // 20 MB
        Exchange e = call(10_000);
        Thread.sleep(500);
        int waiting = e.body().available();
        assertTrue(waiting >= TappedBody.HIGH && waiting < TappedBody.HIGH + 256 * 1024, waiting + " bytes held");
        try (InputStream in = e.stream()) {
            assertArrayEquals(sent, readAll(in));
        }
        connectionStillServes();
    }

    @Test
    void anErrorAnswerIsLeftToTheRestClient() throws Exception {
        answer = r -> r.setStatusCode(429).end("{\"error\":{\"code\":429}}");
        Exchange e = call(10_000);
        e.vertxEnd().get(10, TimeUnit.SECONDS);
        assertFalse(e.body().active());
        assertEquals("{\"error\":{\"code\":429}}".length(), e.vertxBytes().get());
        connectionStillServes();
    }

    @Test
    void aCutBodyIsAnErrorNotAShortImage() throws Exception {
        answer = r -> {
            r.setChunked(true);
            r.write(Buffer.buffer(pattern(40 * CHUNK, 1)));
            vertx.setTimer(100, t -> r.reset());
        };
        try (InputStream in = call(10_000).stream()) {
            IOException e = assertThrows(IOException.class, () -> readAll(in));
            assertFalse(e instanceof InterruptedIOException, e.toString());
        }
        connectionStillServes(); // on a new connection
    }

    @Test
    void aStalledBodyTimesOutAndItsConnectionIsClosed() throws Exception {
        answerChunked(1, false);
        Exchange e = call(500);
        try (InputStream in = e.stream()) {
            assertEquals(CHUNK, in.readNBytes(CHUNK).length);
            long t = System.nanoTime();
            IOException failure = assertThrows(IOException.class, in::read);
            assertTrue(failure.getMessage().contains("timed out"), failure.toString());
            assertTrue(System.nanoTime() - t < TimeUnit.SECONDS.toNanos(5), "waited too long");
        }
        connectionStillServes();
    }

    /**
     * The connection's idle timeout (the same length, as the Gemini client sets it) runs from the last socket read
     * and may close the connection before the reader's own timeout, which runs from when it began to wait: a stall
     * either way, so a timeout, not a connection closed mid-answer.
     */
    @Test
    void aStallThatTheIdleTimeoutCutsFirstIsATimeoutToo() throws Exception {
        HttpClient idle = vertx.createHttpClient(new HttpClientOptions().setIdleTimeout(500)
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS), new PoolOptions().setHttp1MaxSize(1));
        try {
            answerChunked(1, false);
            Exchange e = call(idle, server.actualPort(), 500, false);
            try (InputStream in = e.stream()) {
                assertEquals(CHUNK, in.readNBytes(CHUNK).length);
                Thread.sleep(300); // the reader comes back late: the idle timeout fires first
                IOException failure = assertThrows(IOException.class, in::read);
                assertTrue(failure.getMessage().contains("timed out"), failure.toString());
            }
        } finally {
            idle.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A reader that stops reading pauses the connection (back-pressure), so no byte arrives: when the idle timeout
     * then cuts it, the wait was ours, not a stalled Gemini, and it is not reported as Gemini's timeout.
     */
    @Test
    void aCutWhileTheReaderHeldTheConnectionBackIsNotAGeminiStall() throws Exception {
        HttpClient idle = vertx.createHttpClient(new HttpClientOptions().setIdleTimeout(500)
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS), new PoolOptions().setHttp1MaxSize(1));
        try {
            answerChunked(CHUNKS, true); // 8 MB, far past the high mark
            Exchange e = call(idle, server.actualPort(), 500, false);
            try (InputStream in = e.stream()) {
                assertEquals(CHUNK, in.readNBytes(CHUNK).length);
                Thread.sleep(1_200); // paused at the high mark: the idle timeout cuts the connection
                IOException failure = assertThrows(IOException.class, () -> readAll(in));
                assertFalse(failure.getMessage().contains("timed out"), failure.toString());
            }
        } finally {
            idle.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anInterruptStopsTheWait() throws Exception {
        answerChunked(1, false);
        InputStream in = call(60_000).stream();
        assertEquals(CHUNK, in.readNBytes(CHUNK).length);
        Thread reader = Thread.currentThread();
        Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException ignored) {
                return;
            }
            reader.interrupt();
        });
        assertThrows(InterruptedIOException.class, in::read);
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        in.close();
    }

    @Test
    void closingEarlyDropsTheRestAndTheConnectionServesTheNextRequest() throws Exception {
        answerChunked(150, true); // more than the high mark (the connection had stopped reading), less than DRAIN
        Exchange first = call(10_000);
        InputStream in = first.stream();
        assertEquals(CHUNK, in.readNBytes(CHUNK).length);
        Thread.sleep(200);
        in.close();
        assertThrows(IOException.class, in::read);
        first.vertxEnd().get(10, TimeUnit.SECONDS);
        byte[] sent = answerChunked(10, true);
        Exchange next = call(10_000);
        try (InputStream again = next.stream()) {
            assertArrayEquals(sent, readAll(again));
        }
        assertTrue(first.response().request().connection() == next.response().request().connection(),
                "the rest was dropped and the same connection kept");
    }

    /** A rest of more than TappedBody.DRAIN (here: endless) is not drained: the connection is closed. */
    @Test
    void closingEarlyOnAnEndlessBodyClosesTheConnection() throws Exception {
        answer = r -> {
            r.setChunked(true);
            Buffer chunk = Buffer.buffer(pattern(CHUNK, 3));
            long[] timer = new long[1];
            timer[0] = vertx.setPeriodic(1, t -> {
                if (r.closed()) {
                    vertx.cancelTimer(timer[0]);
                    return;
                }
                for (int i = 0; i < 64 && !r.writeQueueFull(); i++) {
                    r.write(chunk);
                }
            });
        };
        Exchange e = call(10_000);
        CompletableFuture<Void> closed = new CompletableFuture<>();
        e.response().request().connection().closeHandler(v -> closed.complete(null));
        InputStream in = e.stream();
        assertEquals(CHUNK, in.readNBytes(CHUNK).length);
        in.close();
        closed.get(10, TimeUnit.SECONDS);
        connectionStillServes(); // on a new connection
    }

    /** The deadline's interrupt stops a reader that never has to wait: bytes keep coming, it still gives up. */
    @Test
    void anInterruptStopsTheReaderWhileBytesKeepComing() throws Exception {
        answerChunked(5_000, true);
        Exchange e = call(60_000);
        InputStream in = e.stream();
        assertEquals(CHUNK, in.readNBytes(CHUNK).length);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (e.body().available() == 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertTrue(e.body().available() > 0, "bytes wait to be read");
        Thread.currentThread().interrupt();
        try {
            assertThrows(InterruptedIOException.class, in::read);
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        }
        in.close();
        connectionStillServes();
    }

    @Test
    void aStreamDroppedWithoutClosingIsDiscardedWhenCollected() throws Exception {
        answerChunked(5_000, true);
        Exchange e = call(10_000);
        CompletableFuture<Void> closed = new CompletableFuture<>();
        e.response().request().connection().closeHandler(v -> closed.complete(null));
        e.stream().read(); // then dropped: the connection stays stopped at the high mark until the stream is collected
        TappedBody body = e.body();
        collectUntil(closed::isDone);
        assertTrue(closed.isDone(), "the rest of the answer (more than TappedBody.DRAIN) was neither dropped nor cut");
        assertEquals(0, body.available());
        connectionStillServes();
    }

    @Test
    void aBodyNoStreamWasMadeForIsReleasedWhenCollected() throws Exception {
        answer = r -> r.end(Buffer.buffer(pattern(100_000, 3))); // ends below the high mark: the connection is free
        Exchange e = call(10_000);
        e.vertxEnd().get(10, TimeUnit.SECONDS);
        ByteBuf held = e.body().firstHeld(); // shares the held buffer's count, without holding the body
        assertTrue(held.refCnt() > 0);
        e = null;
        collectUntil(() -> held.refCnt() == 0);
        assertEquals(0, held.refCnt(), "Netty's buffer never went back to its pool");
        connectionStillServes();
    }

    @Test
    void theBufferBeingReadIsReleasedTooWhenADroppedStreamIsCollected() throws Exception {
        answer = r -> r.end(Buffer.buffer(pattern(100_000, 4)));
        Exchange e = call(10_000);
        e.vertxEnd().get(10, TimeUnit.SECONDS);
        InputStream in = e.stream();
        assertEquals(10, in.readNBytes(10).length); // part-way through the first buffer
        ByteBuf held = e.body().firstHeld();
        assertTrue(held.refCnt() > 0);
        in = null;
        e = null;
        collectUntil(() -> held.refCnt() == 0);
        assertEquals(0, held.refCnt(), "the buffer being read never went back to its pool");
    }

    @Test
    void pipelinedAnswersGoToTheirOwnRequests() throws Exception {
        HttpServer paths = vertx.createHttpServer().requestHandler(req -> req.response().end(Buffer.buffer(
                pattern(200_000, req.path().length())))).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        HttpClient pipelined = vertx.createHttpClient(new HttpClientOptions().setPipelining(true),
                new PoolOptions().setHttp1MaxSize(1));
        try {
            List<CompletableFuture<Exchange>> calls = new ArrayList<>();
            for (String path : List.of("/a", "/bb", "/ccc")) {
                CompletableFuture<Exchange> f = new CompletableFuture<>();
                pipelined.request(HttpMethod.GET, paths.actualPort(), "127.0.0.1", path).onSuccess(req -> {
                    TappedBody body = BodyTap.arm(req, 10_000, CLEANER);
                    req.send().onSuccess(r -> f.complete(new Exchange(r, body, new AtomicLong(),
                            new CompletableFuture<>()))).onFailure(f::completeExceptionally);
                }).onFailure(f::completeExceptionally);
                calls.add(f);
            }
            for (int i = 0; i < calls.size(); i++) {
                try (InputStream in = calls.get(i).get(10, TimeUnit.SECONDS).stream()) {
                    assertArrayEquals(pattern(200_000, i + 2), readAll(in), "answer " + i);
                }
            }
        } finally {
            pipelined.close();
            paths.close();
        }
    }

    @Test
    void readingOnAnEventLoopFailsInsteadOfWaitingForever() throws Exception {
        answerChunked(1, false);
        InputStream in = call(60_000).stream();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            try {
                in.read();
                failure.complete(null);
            } catch (IOException e) {
                failure.complete(e);
            }
        });
        assertTrue(failure.get(10, TimeUnit.SECONDS) instanceof IOException);
        in.close();
    }

    /** A server that answers the first request of each connection with {@code raw}, then closes if asked. */
    private static int rawServer(String raw, boolean close) throws Exception {
        return vertx.createNetServer().connectHandler(socket -> {
            StringBuilder got = new StringBuilder();
            socket.handler(b -> {
                got.append(b.toString());
                if (got.indexOf("\r\n\r\n") >= 0) {
                    got.setLength(0);
                    socket.write(raw);
                    if (close) {
                        socket.close();
                    }
                }
            });
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    private Exchange rawCall(String raw, boolean close) throws Exception {
        return call(client, rawServer(raw, close), 10_000, false);
    }

    @Test
    void aMalformedChunkIsAnError() throws Exception {
        try (InputStream in = rawCall("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n",
                false).stream()) {
            assertThrows(IOException.class, () -> readAll(in));
        }
    }

    @Test
    void aBodyEndedByClosingTheConnectionIsWhole() throws Exception {
        try (InputStream in = rawCall("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it", true).stream()) {
            assertEquals("all of it", new String(readAll(in)));
        }
    }

    @Test
    void aBodyShorterThanItsContentLengthIsAnError() throws Exception {
        try (InputStream in = rawCall("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nnot all", true).stream()) {
            assertThrows(IOException.class, () -> readAll(in));
        }
    }

    @Test
    void anInterimAnswerBeforeThe200IsSkipped() throws Exception {
        try (InputStream in = rawCall("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "hello", false).stream()) {
            assertEquals("hello", new String(readAll(in)));
        }
    }
}
