package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jboss.resteasy.reactive.client.handlers.VertxClientInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The windowed body stream on a real Vert.x client and server (127.0.0.1, port 0), set up as the REST client sets up
 * its own stream: that one is made on the event loop when the headers arrive, then taken over from another thread.
 */
class ResponseBodyStreamTest {
    private static final int CHUNK = 4096;
    private static final int CHUNKS = 2_000;

    private static Vertx vertx;
    private static HttpServer server;
    /** One client per test: a stalled answer holds its connection. */
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
        client = vertx.createHttpClient();
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

    /** One HTTP chunk per write, as the stand-in's server and Google's front ends send an answer. */
    private static byte[] chunked(HttpServerResponse r, int chunks) {
        byte[] all = new byte[chunks * CHUNK];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i * 31 + i / CHUNK);
        }
        r.setChunked(true);
        for (int c = 0; c < chunks; c++) {
            r.write(Buffer.buffer().appendBytes(all, c * CHUNK, CHUNK));
        }
        return all;
    }

    private record Exchange(Context context, HttpClientResponse response, InputStream restClientStream) {
    }

    /** The response as the REST client holds it when its filters run, fetches counted. */
    private Exchange call(AtomicInteger fetches) throws Exception {
        CompletableFuture<Exchange> f = new CompletableFuture<>();
        client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/").compose(req -> req.send())
                .onSuccess(r -> {
                    HttpClientResponse counted = counting(r, fetches);
                    f.complete(new Exchange(Vertx.currentContext(), counted, new VertxClientInputStream(counted,
                            100_000)));
                }).onFailure(f::completeExceptionally);
        return f.get(10, TimeUnit.SECONDS);
    }

    private static HttpClientResponse counting(HttpClientResponse r, AtomicInteger fetches) {
        return (HttpClientResponse) Proxy.newProxyInstance(ResponseBodyStreamTest.class.getClassLoader(),
                new Class<?>[] {HttpClientResponse.class}, (proxy, method, args) -> {
                    if (method.getName().equals("fetch")) {
                        fetches.incrementAndGet();
                    }
                    try {
                        Object out = method.invoke(r, args);
                        return out == r ? proxy : out;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** The next request is answered with {@code chunks} chunks and an end; the future holds the bytes sent. */
    private static CompletableFuture<byte[]> answerChunked(int chunks) {
        CompletableFuture<byte[]> sent = new CompletableFuture<>();
        answer = r -> {
            sent.complete(chunked(r, chunks));
            r.end();
        };
        return sent;
    }

    private static InputStream takeOver(Exchange e, long timeoutMillis) throws IOException {
        return ResponseBodyStream.takeOver(e.context(), e.response(), e.restClientStream(), timeoutMillis);
    }

    @Test
    void aLongChunkedBodyArrivesIntactWithADemandPerHalfWindowNotPerChunk() throws Exception {
        CompletableFuture<byte[]> sent = answerChunked(CHUNKS);
        AtomicInteger fetches = new AtomicInteger();
        Exchange e = call(fetches);
        InputStream in = takeOver(e, 10_000);
        assertTrue(in instanceof ResponseBodyStream, in.getClass().getName());
        assertArrayEquals(sent.get(), readAll(in));
        assertTrue(fetches.get() <= CHUNKS / 8, fetches.get() + " demands for " + CHUNKS + " chunks");

        // What the REST client's own stream does with the same body: a demand for every chunk.
        CompletableFuture<byte[]> again = answerChunked(CHUNKS);
        AtomicInteger old = new AtomicInteger();
        Exchange plain = call(old);
        assertArrayEquals(again.get(), readAll(plain.restClientStream()));
        assertTrue(old.get() >= CHUNKS, old.get() + " demands");
    }

    @Test
    void theBufferTheRestClientsStreamAlreadyHeldIsReadFirst() throws Exception {
        answer = r -> r.end("a short answer");
        Exchange e = call(new AtomicInteger());
        Thread.sleep(300); // the first buffer reaches the REST client's stream before the take-over
        InputStream in = takeOver(e, 10_000);
        assertEquals("a short answer", new String(readAll(in)));
        assertEquals(-1, in.read());
    }

    @Test
    void anEmptyBodyThatAlreadyEndedIsEmpty() throws Exception {
        answer = HttpServerResponse::end;
        Exchange e = call(new AtomicInteger());
        Thread.sleep(300); // the end reaches the REST client's stream before the take-over
        InputStream in = takeOver(e, 10_000);
        assertEquals(-1, in.read());
    }

    @Test
    void aCutTheRestClientsStreamAlreadySawIsAnError() throws Exception {
        answer = r -> {
            r.setChunked(true).write("a beginning");
            vertx.setTimer(50, t -> r.reset());
        };
        Exchange e = call(new AtomicInteger());
        Thread.sleep(300); // the cut reaches the REST client's stream before the take-over
        InputStream in = takeOver(e, 10_000);
        assertThrows(IOException.class, () -> readAll(in));
    }

    @Test
    void aCutBodyIsAnErrorNotAShortImage() throws Exception {
        answer = r -> {
            chunked(r, 40);
            vertx.setTimer(100, t -> r.reset());
        };
        InputStream in = takeOver(call(new AtomicInteger()), 10_000);
        IOException e = assertThrows(IOException.class, () -> readAll(in));
        assertTrue(!(e instanceof InterruptedIOException), e.toString());
    }

    @Test
    void aStalledBodyTimesOut() throws Exception {
        answer = r -> chunked(r, 1);
        InputStream in = takeOver(call(new AtomicInteger()), 500);
        assertEquals(CHUNK, in.readNBytes(CHUNK).length);
        long t = System.nanoTime();
        IOException e = assertThrows(IOException.class, in::read);
        assertTrue(e.getMessage().contains("timed out"), e.toString());
        assertTrue(System.nanoTime() - t < TimeUnit.SECONDS.toNanos(5), "waited too long");
    }

    @Test
    void anInterruptStopsTheWait() throws Exception {
        answer = r -> chunked(r, 1);
        InputStream in = takeOver(call(new AtomicInteger()), 60_000);
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
    }

    @Test
    void closingEarlyDropsTheRestAndFurtherReadsFail() throws Exception {
        answerChunked(200);
        InputStream in = takeOver(call(new AtomicInteger()), 10_000);
        assertEquals(CHUNK, in.readNBytes(CHUNK).length);
        in.close();
        assertThrows(IOException.class, in::read);
    }
}
