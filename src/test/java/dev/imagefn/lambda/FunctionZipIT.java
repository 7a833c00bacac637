package dev.imagefn.lambda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.LambdaTask;
import dev.imagefn.testing.LocalS3;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The built function.zip as Lambda runs it, against a local Runtime API on 127.0.0.1 handing out events. The zip is
 * unpacked as the task root. A JVM zip runs under AWS's own Runtime Interface Client, as the managed java25 runtime
 * does ({@code AWSLambda} as the main class with the handler, memory, timeout and {@code JAVA_TOOL_OPTIONS} of
 * deploy/aws/template-snapstart.yaml); a native zip's {@code bootstrap} is started as provided.al2023 starts it
 * ({@code make native-test}). Runs in the Lambda build ({@code -Plambda}) after the zip is built.
 */
class FunctionZipIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API_KEY = "ric-key-AIzaSyTESTONLY0123456789";
    private static final String ARN = "arn:aws:lambda:eu-west-1:123456789012:function:imagefn";

    @Test
    void everyEventKindThroughTheLambdaRuntime() throws Exception {
        Path build = Path.of(System.getProperty("build.dir", "target/lambda"));
        Path zip = build.resolve("function.zip");
        assertTrue(Files.exists(zip), zip + " was not built");
        Path work = build.resolve("lambda-ric");
        // A native zip has the executable as bootstrap (provided.al2023); a JVM zip runs under the RIC (java25).
        LambdaTask task = LambdaTask.unpack(zip, work.resolve("task"));
        boolean nativeZip = task.isNative();
        LambdaTask.Template template = task.template();
        Path log = work.resolve("function.log");
        try (LocalS3 s3 = LocalS3.start(Path.of(System.getProperty("localstack.dir", "target/localstack")), 0);
                GeminiStandIn gemini = new GeminiStandIn(0, API_KEY);
                RuntimeApi api = new RuntimeApi()) {
            // the JDK 25 running this test
            ProcessBuilder pb = new ProcessBuilder(task.command(work.resolve("classpath.txt"),
                    ProcessHandle.current().info().command().orElse("java")));
            pb.directory(task.root().toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.clear(); // Lambda's environment, not the developer's
            env.putAll(task.environment(api.port()));
            env.put("AWS_ACCESS_KEY_ID", LocalS3.ACCESS_KEY);
            env.put("AWS_SECRET_ACCESS_KEY", LocalS3.SECRET_KEY);
            env.put("GEMINI_API_KEY", API_KEY);
            env.put("IMAGEFN_GEMINI_BASE_URL", gemini.baseUrl());
            env.put("IMAGEFN_STORAGE_BUCKET", "images");
            env.put("IMAGEFN_STORAGE_ENDPOINT", s3.endpoint());
            env.put("IMAGEFN_STORAGE_PATH_STYLE", "true");
            env.put("IMAGEFN_STORAGE_CREATE_BUCKET", "true");

            Process p = pb.start();
            api.watch(p);
            try {
                // direct invocation
                Invocation direct = api.invoke("{\"prompt\":\"under the RIC\",\"aspectRatio\":\"1:1\"}",
                        template.timeoutSeconds());
                JsonNode result = direct.success(log);
                assertEquals(direct.requestId, result.get("requestId").asText(), "the RIC's context reaches the handler");
                assertEquals(1024, result.get("width").asInt());
                assertArrayEquals(gemini.lastFinalImages().get(0),
                        Files.readAllBytes(s3.file("images", result.get("key").asText())));

                // SQS
                int calls = gemini.calls();
                String sqs = "{\"Records\":[{\"messageId\":\"ric-" + UUID.randomUUID() + "\",\"receiptHandle\":\"r\","
                        + "\"body\":" + JSON.writeValueAsString("{\"prompt\":\"queued under the RIC\"}")
                        + ",\"attributes\":{\"ApproximateReceiveCount\":\"1\"},\"messageAttributes\":{},"
                        + "\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"arn:aws:sqs:eu-west-1:123456789012:imagefn-jobs\","
                        + "\"awsRegion\":\"eu-west-1\"}]}";
                JsonNode batch = api.invoke(sqs, template.timeoutSeconds()).success(log);
                assertTrue(batch.get("batchItemFailures").isArray(), batch.toString());
                assertEquals(0, batch.get("batchItemFailures").size(), batch.toString());
                assertEquals(calls + 1, gemini.calls(), "one record, one generation");

                // API Gateway HTTP API (payload 2.0)
                String body = Base64.getEncoder().encodeToString(
                        "{\"prompt\":\"HTTP API under the RIC\",\"imageSize\":\"512\"}".getBytes(StandardCharsets.UTF_8));
                JsonNode reply = api.invoke(fixture("apigw-v2.json").replace("BODY_BASE64", body), template.timeoutSeconds())
                        .success(log);
                assertEquals(200, reply.get("statusCode").asInt(), reply.toString());
                JsonNode viaHttp = JSON.readTree(reply.get("body").asText());
                assertEquals(512, viaHttp.get("width").asInt());
                assertArrayEquals(gemini.lastFinalImages().get(0),
                        Files.readAllBytes(s3.file("images", viaHttp.get("key").asText())));

                // a refused event: a Lambda error through /error, the runtime stays up
                JsonNode error = api.invoke("{\"aspectRatio\":\"1:1\"}", template.timeoutSeconds()).error(log);
                assertEquals(LambdaProblem.class.getName(), error.get("errorType").asText(), error.toString());
                assertEquals("INVALID_REQUEST", JSON.readTree(error.get("errorMessage").asText()).get("code").asText());
                assertTrue(p.isAlive(), "the runtime goes on after a function error");
            } finally {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            assertNull(api.initError, () -> "init error: " + api.initError);
        }
        String out = Files.readString(log);
        for (String bad : List.of("IllegalAccessError", "NoClassDefFoundError", "Exception in thread",
                "InaccessibleObjectException", "does not open java.lang")) {
            assertFalse(out.contains(bad), () -> "the function's output has " + bad + " (" + log + "):\n" + out);
        }
        assertFalse(out.contains(API_KEY), "the key is not logged");
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = FunctionZipIT.class.getResourceAsStream("/events/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** One event handed to the function, and what it answered. */
    static final class Invocation {
        final String requestId = UUID.randomUUID().toString();
        final byte[] event;
        final long deadlineMs;
        final CompletableFuture<Answer> answer = new CompletableFuture<>();

        Invocation(byte[] event, long deadlineMs) {
            this.event = event;
            this.deadlineMs = deadlineMs;
        }

        JsonNode success(Path log) throws Exception {
            Answer a = await(log);
            assertEquals("response", a.kind, () -> "expected a response, got " + a.kind + ": " + a.body);
            return JSON.readTree(a.body);
        }

        JsonNode error(Path log) throws Exception {
            Answer a = await(log);
            assertEquals("error", a.kind, () -> "expected an error, got " + a.kind + ": " + a.body);
            return JSON.readTree(a.body);
        }

        private Answer await(Path log) throws Exception {
            try {
                return answer.get(180, TimeUnit.SECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                throw new AssertionError("no answer to " + requestId + " (" + e + "); function output:\n"
                        + Files.readString(log), e);
            }
        }
    }

    record Answer(String kind, String body) {
    }

    /** The Lambda Runtime API (2018-06-01) on 127.0.0.1, port 0. */
    static final class RuntimeApi implements AutoCloseable {
        private static final Pattern RESULT = Pattern.compile("/2018-06-01/runtime/invocation/([^/]+)/(response|error)");
        private final HttpServer server;
        private final BlockingQueue<Invocation> pending = new LinkedBlockingQueue<>();
        private final Map<String, Invocation> inFlight = new ConcurrentHashMap<>();
        private final List<CompletableFuture<Answer>> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile boolean closed;
        private volatile String ended;
        volatile String initError;

        RuntimeApi() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.setExecutor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "runtime-api");
                t.setDaemon(true);
                return t;
            }));
            server.createContext("/2018-06-01/runtime/", this::handle);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        Invocation invoke(String event, int timeoutSeconds) {
            Invocation inv = new Invocation(event.getBytes(StandardCharsets.UTF_8),
                    System.currentTimeMillis() + timeoutSeconds * 1000L);
            all.add(inv.answer);
            pending.add(inv);
            String why = ended;
            if (why != null) {
                inv.answer.completeExceptionally(new IllegalStateException(why));
            }
            return inv;
        }

        /** Fails every open invocation at once when the function's process ends. */
        void watch(Process p) {
            p.onExit().thenRun(() -> {
                ended = "the function exited with " + p.exitValue();
                all.forEach(f -> f.completeExceptionally(new IllegalStateException(ended)));
            });
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                byte[] body = ex.getRequestBody().readAllBytes();
                if (ex.getRequestMethod().equals("GET") && path.equals("/2018-06-01/runtime/invocation/next")) {
                    next(ex);
                    return;
                }
                Matcher m = RESULT.matcher(path);
                if (ex.getRequestMethod().equals("POST") && m.matches()) {
                    Invocation inv = inFlight.remove(m.group(1));
                    if (inv == null) {
                        send(ex, 400, "{\"errorMessage\":\"unknown request id\",\"errorType\":\"InvalidRequestID\"}");
                        return;
                    }
                    inv.answer.complete(new Answer(m.group(2), new String(body, StandardCharsets.UTF_8)));
                    send(ex, 202, "{\"status\":\"OK\"}");
                    return;
                }
                if (ex.getRequestMethod().equals("POST") && path.equals("/2018-06-01/runtime/init/error")) {
                    initError = new String(body, StandardCharsets.UTF_8);
                    all.forEach(f -> f.completeExceptionally(new IllegalStateException("init error: " + initError)));
                    send(ex, 202, "{\"status\":\"OK\"}");
                    return;
                }
                send(ex, 404, "{\"errorMessage\":\"no such route\",\"errorType\":\"NotFound\"}");
            }
        }

        private void next(HttpExchange ex) throws IOException {
            Invocation inv = null;
            while (inv == null && !closed) {
                try {
                    inv = pending.poll(500, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (inv == null) {
                return;
            }
            inFlight.put(inv.requestId, inv);
            var h = ex.getResponseHeaders();
            h.set("Content-Type", "application/json");
            h.set("Lambda-Runtime-Aws-Request-Id", inv.requestId);
            h.set("Lambda-Runtime-Deadline-Ms", Long.toString(inv.deadlineMs));
            h.set("Lambda-Runtime-Invoked-Function-Arn", ARN);
            h.set("Lambda-Runtime-Trace-Id", "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000)
                    + "-" + inv.requestId.replace("-", "").substring(0, 24) + ";Parent=53995c3f42cd8ad8;Sampled=0");
            ex.sendResponseHeaders(200, inv.event.length);
            ex.getResponseBody().write(inv.event);
        }

        private static void send(HttpExchange ex, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        }

        @Override
        public void close() {
            closed = true;
            server.stop(0);
        }
    }
}
