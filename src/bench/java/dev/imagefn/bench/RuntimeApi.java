package dev.imagefn.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lambda Runtime API (2018-06-01) on 127.0.0.1, port 0, for one cold start: the first {@code next} gets the one
 * event, later polls wait until {@link #close()}. Times (System.nanoTime) the first poll and the answer.
 */
final class RuntimeApi implements AutoCloseable {
    private static final String BASE = "/2018-06-01/runtime/";
    private static final Pattern RESULT = Pattern.compile(BASE + "invocation/([^/]+)/(response|error)");
    private static final String ARN = "arn:aws:lambda:eu-west-1:123456789012:function:imagefn";

    /** {@code response}, {@code error} (the invocation's) or {@code init/error}, its body, when it arrived. */
    record Answer(String kind, String body, long atNanos) {
    }

    private final HttpServer server;
    private final ExecutorService pool;
    private final String requestId = UUID.randomUUID().toString();
    private final byte[] event;
    private final long deadlineMs;
    private final AtomicBoolean handedOut = new AtomicBoolean();
    private final AtomicLong firstPoll = new AtomicLong();
    private final CompletableFuture<Answer> answer = new CompletableFuture<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    RuntimeApi(String event, int timeoutSeconds) throws IOException {
        this.event = event.getBytes(StandardCharsets.UTF_8);
        this.deadlineMs = System.currentTimeMillis() + timeoutSeconds * 1000L;
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "runtime-api");
            t.setDaemon(true);
            return t;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(pool);
        server.createContext(BASE, this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** When the function first asked for an event; 0 if it never did. */
    long firstPollNanos() {
        return firstPoll.get();
    }

    /** The function's answer to the event; fails when the process ends first or nothing comes within the timeout. */
    Answer await(Process p, Duration timeout) throws InterruptedException {
        p.onExit().thenRun(() -> answer.completeExceptionally(
                new IllegalStateException("the function exited with " + p.exitValue() + " before answering")));
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer within " + timeout.toSeconds() + " s (first poll "
                    + (firstPoll.get() == 0 ? "never came" : "came") + ")");
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            byte[] body = ex.getRequestBody().readAllBytes();
            long now = System.nanoTime();
            String method = ex.getRequestMethod();
            if (method.equals("GET") && path.equals(BASE + "invocation/next")) {
                firstPoll.compareAndSet(0, now);
                next(ex);
                return;
            }
            Matcher m = RESULT.matcher(path);
            if (method.equals("POST") && m.matches()) {
                if (!m.group(1).equals(requestId)) {
                    send(ex, 400, "{\"errorMessage\":\"unknown request id\",\"errorType\":\"InvalidRequestID\"}");
                    return;
                }
                answer.complete(new Answer(m.group(2), new String(body, StandardCharsets.UTF_8), now));
                send(ex, 202, "{\"status\":\"OK\"}");
                return;
            }
            if (method.equals("POST") && path.equals(BASE + "init/error")) {
                answer.complete(new Answer("init/error", new String(body, StandardCharsets.UTF_8), now));
                send(ex, 202, "{\"status\":\"OK\"}");
                return;
            }
            send(ex, 404, "{\"errorMessage\":\"no such route\",\"errorType\":\"NotFound\"}");
        }
    }

    private void next(HttpExchange ex) throws IOException {
        if (!handedOut.compareAndSet(false, true)) {
            try {
                closed.await(); // one event per cold start: the next poll waits for the end of the run
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        var h = ex.getResponseHeaders();
        h.set("Content-Type", "application/json");
        h.set("Lambda-Runtime-Aws-Request-Id", requestId);
        h.set("Lambda-Runtime-Deadline-Ms", Long.toString(deadlineMs));
        h.set("Lambda-Runtime-Invoked-Function-Arn", ARN);
        h.set("Lambda-Runtime-Trace-Id", "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-"
                + requestId.replace("-", "").substring(0, 24) + ";Parent=53995c3f42cd8ad8;Sampled=0");
        ex.sendResponseHeaders(200, event.length);
        ex.getResponseBody().write(event);
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    /**
     * One poll and one response from this JVM, so that the first measured run does not also time the bench's own
     * loading of the server classes.
     */
    static void warmUp() throws Exception {
        try (RuntimeApi api = new RuntimeApi("{}", 10); HttpClient client = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + api.port() + BASE + "invocation/";
            HttpResponse<String> next = client.send(HttpRequest.newBuilder(URI.create(base + "next")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String id = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
            client.send(HttpRequest.newBuilder(URI.create(base + id + "/response"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding());
            if (!api.answer.isDone()) {
                throw new IllegalStateException("the local Runtime API took no response");
            }
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        pool.shutdownNow();
    }
}
