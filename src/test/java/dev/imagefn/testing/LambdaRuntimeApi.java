package dev.imagefn.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The AWS Lambda Runtime API (2018-06-01) on 127.0.0.1, as the Lambda service offers it to a function's runtime:
 * {@code GET /runtime/invocation/next} hands out queued events with the documented headers, and the function posts
 * each answer to {@code /runtime/invocation/{id}/response} or {@code /error}. {@link #invoke} is one invocation.
 * Works for every runtime: the Quarkus poll loop (JVM and native {@code bootstrap}) and AWS's Runtime Interface
 * Client.
 */
public final class LambdaRuntimeApi implements AutoCloseable {
    private static final String BASE = "/2018-06-01/runtime/";

    private final HttpServer server;
    private final BlockingQueue<Invocation> pending = new LinkedBlockingQueue<>();
    private final Map<String, CompletableFuture<Answer>> answers = new ConcurrentHashMap<>();
    private final List<String> initErrors = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** What the function answered: a response, or an error document with its type header. */
    public record Answer(boolean error, String errorType, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private record Invocation(String requestId, byte[] event, long deadlineMillis) {
    }

    public LambdaRuntimeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lambda-runtime-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The value of {@code AWS_LAMBDA_RUNTIME_API}: host and port, no scheme. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public List<String> initErrors() {
        return List.copyOf(initErrors);
    }

    /** Delivers one event and waits for the function's answer. */
    public Answer invoke(String event, Duration timeout) throws Exception {
        String id = UUID.randomUUID().toString();
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        answers.put(id, answer);
        pending.add(new Invocation(id, event.getBytes(StandardCharsets.UTF_8),
                System.currentTimeMillis() + timeout.toMillis()));
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            answers.remove(id);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            byte[] body = ex.getRequestBody().readAllBytes();
            if (ex.getRequestMethod().equals("GET") && path.equals(BASE + "invocation/next")) {
                next(ex);
            } else if (ex.getRequestMethod().equals("POST") && path.equals(BASE + "init/error")) {
                initErrors.add(new String(body, StandardCharsets.UTF_8));
                ex.sendResponseHeaders(202, -1);
            } else if (ex.getRequestMethod().equals("POST") && path.startsWith(BASE + "invocation/")) {
                String[] parts = path.substring((BASE + "invocation/").length()).split("/");
                CompletableFuture<Answer> answer = parts.length == 2 ? answers.get(parts[0]) : null;
                if (answer == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                boolean error = parts[1].equals("error");
                answer.complete(new Answer(error, ex.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type"),
                        body));
                ex.sendResponseHeaders(202, -1);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
        }
    }

    /** Long poll, as the real API does: the runtime's next request waits until there is an event. */
    private void next(HttpExchange ex) throws IOException {
        Invocation i = null;
        while (i == null && !closed) {
            try {
                i = pending.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (i == null) {
            ex.sendResponseHeaders(503, -1);
            return;
        }
        var h = ex.getResponseHeaders();
        h.add("Content-Type", "application/json");
        h.add("Lambda-Runtime-Aws-Request-Id", i.requestId());
        h.add("Lambda-Runtime-Deadline-Ms", Long.toString(i.deadlineMillis()));
        h.add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:imagefn");
        h.add("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
        ex.sendResponseHeaders(200, i.event().length);
        ex.getResponseBody().write(i.event());
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
    }
}
