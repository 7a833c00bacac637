package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.batch.BatchGateway;
import dev.imagefn.testing.TestConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch poll or responses file whose body stops arriving half-way (headers sent, then nothing): the JDK client's
 * request timeout ends with the headers, so without a guard the read waited for ever and held the poll's claim. Now
 * the read fails after {@code imagefn.gemini.timeout} without a byte, as a timeout, and the part that came is not
 * passed on as a whole file. And a poll does not read a finished batch's answers at all.
 */
class GeminiBatchStallTest {
    private static final String OPERATION = "{\"name\":\"batches/done\",\"done\":true,\"metadata\":{\"state\":"
            + "\"BATCH_STATE_SUCCEEDED\"},\"response\":{\"responsesFile\":\"files/out-done\"}}";
    private static final String LINE = "{\"key\":\"k1\",\"error\":{\"code\":400,\"message\":\"refused\","
            + "\"status\":\"INVALID_ARGUMENT\"}}\n";

    private HttpServer server;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1beta/batches/stalled", ex -> stall(ex, "{\"name\":\"batches/stalled\",\"metadata\":"));
        server.createContext("/v1beta/batches/done", ex -> send(ex, OPERATION));
        server.createContext("/v1beta/batches/slow", ex -> send(ex, OPERATION.replace("batches/done", "batches/slow")
                .replace("out-done", "out-slow")));
        server.createContext("/download/v1beta/files/out-slow:download", ex -> send(ex, LINE + LINE.replace("k1", "k2")));
        server.createContext("/v1beta/batches/inline", ex -> stall(ex, "{\"name\":\"batches/inline\",\"metadata\":"
                + "{\"state\":\"BATCH_STATE_SUCCEEDED\"},\"done\":true,\"response\":{\"inlinedResponses\":"));
        server.createContext("/download/v1beta/files/out-done:download", ex -> stall(ex, LINE + "{\"key\":\"k2\","));
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private GeminiBatchClient client(String timeout) {
        return new GeminiBatchClient(TestConfig.of(Map.of("gemini.base-url", "http://127.0.0.1:"
                + server.getAddress().getPort(), "gemini.timeout", timeout)));
    }

    @Test
    void aPollWhoseBodyStallsFailsAsATimeout() {
        GeminiBatchClient client = client("300ms");
        ImageFnException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                ImageFnException.class, () -> client.get("batches/stalled", Deadline.after(Duration.ofMinutes(5)))));
        assertEquals(ErrorCode.UPSTREAM_TIMEOUT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("no byte for 300 ms"), e.getMessage());
    }

    @Test
    void aResponsesFileThatStallsIsNotTakenForAWholeOne() {
        GeminiBatchClient client = client("300ms");
        List<BatchGateway.Result> got = new CopyOnWriteArrayList<>();
        ImageFnException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                ImageFnException.class, () -> client.results("batches/done", Deadline.after(Duration.ofMinutes(5)),
                        got::add)));
        assertEquals(ErrorCode.UPSTREAM_TIMEOUT, e.code(), e.getMessage());
        assertEquals(List.of("k1"), got.stream().map(BatchGateway.Result::key).toList(), "only the line that came whole");
    }

    /** The time the poll spends on an answer (storing its image) between two reads is not a stall. */
    @Test
    void timeSpentBetweenReadsIsNotAStall() {
        GeminiBatchClient client = client("300ms");
        List<String> got = new CopyOnWriteArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> client.results("batches/slow",
                Deadline.after(Duration.ofMinutes(5)), r -> {
                    got.add(r.key());
                    try {
                        Thread.sleep(900);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
        assertEquals(List.of("k1", "k2"), got);
    }

    @Test
    void theDeadlineEndsAStalledReadToo() {
        GeminiBatchClient client = client("300s");
        long start = System.nanoTime();
        ImageFnException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                ImageFnException.class, () -> client.get("batches/stalled", Deadline.after(Duration.ofMillis(800)))));
        assertEquals(ErrorCode.UPSTREAM_TIMEOUT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("deadline"), e.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
    }

    /**
     * A poll of a finished batch learns its state from the head of the operation and does not read on through its
     * answers (all of its images, when inline), which the collection fetches once more. The old code read them all
     * (here: waited for the rest, and failed when the guard cut it).
     */
    @Test
    void aPollOfAFinishedBatchDoesNotReadItsAnswers() {
        GeminiBatchClient client = client("300s");
        BatchGateway.Status status = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> client.get("batches/inline", Deadline.after(Duration.ofSeconds(5))));
        assertTrue(status.succeeded(), status.state());
    }

    private void stall(HttpExchange ex, String part) throws IOException {
        byte[] head = part.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, head.length + 10_000);
        OutputStream out = ex.getResponseBody();
        out.write(head);
        out.flush();
        try {
            release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ex.close();
    }

    private static void send(HttpExchange ex, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }
}
