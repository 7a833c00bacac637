package dev.imagefn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The request body on the wire, with raw sockets to the HTTP server the function runs in (this JVM): a declared
 * length over the limit is refused before a byte of the body is sent, and huge chunked bodies are refused while they
 * are still arriving, without being held in memory. (A body that trickles: {@link BodyReadTimeoutTest}.)
 */
@QuarkusTest
class BodyTransportTest extends HttpTestBase {
    private static final long MB = 1024 * 1024;
    /**
     * How much the heap in use after a GC may grow while six 40 MB bodies stream in. Holding them would take
     * 6 x 40 MB = 240 MB (what the old code, which read every body into a byte[] up to 64 MiB, did).
     */
    private static final long HEAP_GROWTH_LIMIT = 160 * MB;

    private static int port() {
        return RestAssured.port;
    }

    /** Whatever the declared length: 100 GB too is imagefn's problem document, not the HTTP server's bare 413. */
    @ParameterizedTest
    @CsvSource({"/v1/images,50000000", "/,50000000", "/v1/images,100000000000", "/,100000000000"})
    void aDeclaredLengthOverTheLimitIsRefusedBeforeAnyBodyByte(String path, String length) throws Exception {
        try (RawHttp c = new RawHttp(port(), Duration.ofSeconds(10))) {
            c.head("POST", path, port(), RawHttp.headers("Content-Type", "application/json", "Content-Length",
                    length, "X-Request-Id", "declared-too-long", "ce-specversion", "1.0", "ce-id", "big-1",
                    "ce-source", "/raw", "ce-type", "dev.imagefn.image.requested"));
            long sent = System.nanoTime();
            RawHttp.Answer a = c.read();
            long ms = (a.arrivedNanos() - sent) / 1_000_000;
            assertEquals(413, a.status(), a.text());
            assertTrue(a.header("content-type").startsWith("application/problem+json"), a.header("content-type"));
            JsonPath problem = JsonPath.from(a.text());
            assertEquals("PAYLOAD_TOO_LARGE", problem.getString("code"));
            assertEquals("declared-too-long", problem.getString("requestId"));
            assertTrue(ms < 2_000, "the 413 must come at once, not after waiting for the body: " + ms + " ms");
            assertEquals("close", a.header("connection"), "an answer whose connection is closed says so");
            assertTrue(c.closedByServer(Duration.ofSeconds(5)), "the connection of an unread body is closed");
        }
        assertEquals(0, gemini().calls());
    }

    /**
     * HTTP/1.1 keep-alive, as gateways, load balancers and Knative's queue-proxy use it: answers to requests read
     * whole (a GET, an image, a refused body) leave the connection open, and the next request on it is served. The
     * old code closed every connection after its answer without saying so, and a client that sent its next request
     * on it lost that request.
     */
    @Test
    void aConnectionIsKeptAliveAfterRequestsReadWhole() throws Exception {
        byte[] image = "{\"prompt\":\"keep-alive\"}".getBytes(StandardCharsets.UTF_8);
        byte[] junk = "{\"prompt\":".getBytes(StandardCharsets.UTF_8);
        try (RawHttp c = new RawHttp(port(), Duration.ofSeconds(30))) {
            for (int round = 0; round < 2; round++) {
                c.head("GET", "/q/health/ready", port(), RawHttp.headers());
                assertKeptAlive(c, c.read(), 200);
                c.head("POST", "/v1/images", port(), RawHttp.headers("Content-Type", "application/json",
                        "Content-Length", Integer.toString(image.length)));
                c.write(image);
                assertKeptAlive(c, c.read(), 200);
                c.head("POST", "/v1/images", port(), RawHttp.headers("Content-Type", "application/json",
                        "Content-Length", Integer.toString(junk.length)));
                c.write(junk);
                assertKeptAlive(c, c.read(), 400);
            }
        }
        assertEquals(2, gemini().calls());
    }

    /** A chunked body sent whole is answered; if its connection is closed after that, the answer said so first. */
    @Test
    void aClosedConnectionIsAnnounced() throws Exception {
        byte[] image = "{\"prompt\":\"chunked\"}".getBytes(StandardCharsets.UTF_8);
        try (RawHttp c = new RawHttp(port(), Duration.ofSeconds(30))) {
            c.head("POST", "/v1/images", port(), RawHttp.headers("Content-Type", "application/json",
                    "Transfer-Encoding", "chunked"));
            c.chunk(image, 0, image.length);
            c.endChunks();
            RawHttp.Answer a = c.read();
            assertEquals(200, a.status(), a.text());
            if (!"close".equals(a.header("connection"))) {
                assertKeptAlive(c, a, 200);
            } else {
                assertTrue(c.closedByServer(Duration.ofSeconds(5)), "Connection: close, and still open");
            }
        }
    }

    private static void assertKeptAlive(RawHttp c, RawHttp.Answer a, int status) throws IOException {
        assertEquals(status, a.status(), a.text());
        assertEquals(null, a.header("connection"), "the answer to a request read whole keeps its connection");
        assertTrue(!c.closedByServer(Duration.ofMillis(300)), "the server closed a connection it did not say it "
                + "would close, after a " + status);
    }

    /**
     * Six 40 MB bodies at once, chunked (no length to refuse up front), three kinds of junk: a huge prompt string, a
     * huge inline reference image, whitespace. Each is answered 400 or 413 while it is still being sent (a client not
     * answered after all 40 MB waits 5 s, then ends its body: a server that waits for the end of the body, or holds
     * it, is caught there), and the heap in use after a GC, sampled every 200 ms meanwhile, stays within
     * {@link #HEAP_GROWTH_LIMIT} of what it was before.
     */
    @Test
    void hugeChunkedBodiesAreRefusedWhileArrivingAndNotHeld() throws Exception {
        List<String> kinds = List.of("prompt", "reference", "whitespace", "prompt", "reference", "whitespace");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        memory.gc();
        long before = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(before);
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (sampling.get()) {
                memory.gc();
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long start = System.nanoTime();
        List<Flood> floods = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Flood>> running = new ArrayList<>();
            for (String kind : kinds) {
                running.add(CompletableFuture.supplyAsync(() -> flood(kind, pool), pool));
            }
            for (CompletableFuture<Flood> f : running) {
                floods.add(f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            sampling.set(false);
            sampler.join(10_000);
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000;
        long growth = peak.get() - before;
        System.out.printf("huge chunked bodies: %s%n  heap before %d MB, peak after GC %d MB (+%d MB), %d s%n",
                floods, before / MB, peak.get() / MB, growth / MB, seconds);
        assertTrue(growth < HEAP_GROWTH_LIMIT, "the bodies were held in memory: the heap after GC grew by "
                + growth / MB + " MB while they streamed (limit " + HEAP_GROWTH_LIMIT / MB + " MB); " + floods);
        for (Flood f : floods) {
            assertTrue(f.answer().status() == 413 || f.answer().status() == 400, f.toString());
            assertTrue(f.answer().header("content-type").startsWith("application/problem+json"), f.toString());
            assertTrue(!f.bodyEnded(), "answered only after the whole body was sent: " + f);
        }
        assertTrue(seconds < 90, "took " + seconds + " s");
        assertEquals(0, gemini().calls());
        post("{\"prompt\":\"after the flood\"}").statusCode(200);
    }

    /** One flooding connection: its answer, how much was sent before it, and whether the body had to be ended. */
    record Flood(String kind, RawHttp.Answer answer, long sentBytes, boolean bodyEnded) {
        @Override
        public String toString() {
            JsonPath p = JsonPath.from(answer.text());
            return kind + " -> " + answer.status() + " " + p.getString("code") + " (" + p.getString("detail")
                    + ") after " + sentBytes / MB + " MB sent" + (bodyEnded ? ", body ended first" : "");
        }
    }

    /** Streams up to 40 MB of junk of the given kind, chunked, until the answer comes. */
    private static Flood flood(String kind, ExecutorService pool) {
        long total = 40 * MB;
        try (RawHttp c = new RawHttp(port(), Duration.ofSeconds(60))) {
            c.head("POST", "/v1/images", port(), RawHttp.headers("Content-Type", "application/json",
                    "Transfer-Encoding", "chunked"));
            CompletableFuture<RawHttp.Answer> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.read();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, pool);
            String open = switch (kind) {
                case "prompt" -> "{\"prompt\":\"";
                case "reference" -> "{\"prompt\":\"x\",\"referenceImages\":[{\"mimeType\":\"image/png\",\"data\":\"";
                default -> "{";
            };
            byte[] block = new byte[64 * 1024];
            Arrays.fill(block, (byte) (kind.equals("whitespace") ? ' ' : 'A'));
            long sent = 0;
            boolean ended = false;
            try {
                byte[] head = open.getBytes(StandardCharsets.US_ASCII);
                c.chunk(head, 0, head.length);
                sent = head.length;
                while (sent < total && !answer.isDone()) {
                    c.chunk(block, 0, block.length);
                    sent += block.length;
                }
                if (!answer.isDone()) {
                    try {
                        answer.get(5, TimeUnit.SECONDS);
                    } catch (TimeoutException stillWaiting) {
                        byte[] close = (kind.equals("whitespace") ? "}" : "\"}").getBytes(StandardCharsets.US_ASCII);
                        c.chunk(close, 0, close.length);
                        c.endChunks();
                        ended = true;
                    }
                }
            } catch (IOException e) {
                // the server answered and hung up while this was still sending: the answer is read apart
            }
            return new Flood(kind, answer.get(60, TimeUnit.SECONDS), sent, ended);
        } catch (Exception e) {
            throw new IllegalStateException(kind + ": no answer", e);
        }
    }
}
