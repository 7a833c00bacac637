package dev.imagefn.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.testing.DrawnImages;
import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.LocalS3;
import dev.imagefn.testing.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code make demo} and {@code make run}: S3Proxy on 127.0.0.1, the Gemini stand-in unless
 * {@code GEMINI_API_KEY} is set, and the packaged function ({@code target/quarkus-app}) as a child process,
 * with the JDK AOT cache ({@code app.aot} beside the jar) when there is one.
 * The stand-in draws the request into the image ({@link Reply#drawn()}); {@code DEMO_LATENCY} (e.g. {@code 3s})
 * delays its answers and {@code DEMO_FAILURES} (a count) makes it answer 503 first, to show progress and retries.
 * {@code ASPECT_RATIO} and {@code IMAGE_SIZE} choose the demo request's shape. {@code train CACHE} (make build)
 * writes the AOT cache: the function serves a fixed workload on the same local stack (never the real API), then
 * exits and the JVM writes the cache.
 */
public final class LocalStack {
    private static final Path APP = Path.of(System.getProperty("imagefn.app", "target/quarkus-app"), "quarkus-run.jar");
    private static final Path LOCALSTACK = Path.of(System.getProperty("imagefn.localstack", "target/localstack"));
    private static final Path DEMO_OUT = Path.of("target/demo");
    /** The cache make build leaves beside the jar; the JVM uses it only if it matches this JDK and class path. */
    public static final Path AOT_CACHE = APP.resolveSibling("app.aot");
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        String mode = args.length > 0 ? args[0] : "demo";
        String prompt = args.length > 1 ? args[1] : "A watercolor lighthouse at dusk";
        long started = System.nanoTime();
        boolean training = "train".equals(mode);
        String realKey = System.getenv("GEMINI_API_KEY");
        boolean real = !training && realKey != null && !realKey.isBlank();
        int port = "run".equals(mode) ? envInt("PORT", 8080) : LocalS3.freePort();

        List<AutoCloseable> running = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(running)));
        LocalS3 s3 = LocalS3.start(LOCALSTACK, envInt("IMAGEFN_S3_PORT", 0));
        running.add(s3);
        say("S3 (S3Proxy):   %s  files under %s", s3.endpoint(), s3.dataDir());
        GeminiStandIn standIn = null;
        if (real) {
            say("Gemini:         the real API (GEMINI_API_KEY is set) — this call is billed");
        } else {
            standIn = new GeminiStandIn(0, "local-demo-key");
            running.add(standIn);
            Duration latency = envDuration("DEMO_LATENCY");
            standIn.answerByDefault(Reply.image().drawn().delay(latency));
            // Loads fonts and warms Java2D while the function starts, so the first image is drawn quickly.
            Thread.ofVirtual().start(() -> DrawnImages.draw("png", "gemini-3.1-flash-image", "warm-up", "1:1", "512", 0));
            for (int i = envInt("DEMO_FAILURES", 0); i > 0; i--) {
                standIn.enqueue(Reply.unavailable());
            }
            say("Gemini:         stand-in at %s (GEMINI_API_KEY is not set; set it to call the real API)",
                    standIn.baseUrl());
        }

        List<String> command = new ArrayList<>(List.of(javaBin()));
        command.addAll(jvmOptions());
        if (training) {
            command.add("-XX:AOTCacheOutput=" + Path.of(prompt).toAbsolutePath());
        } else if (Files.exists(AOT_CACHE)) {
            command.add("-XX:AOTCache=" + AOT_CACHE.toAbsolutePath());
        }
        command.addAll(List.of("-Dquarkus.profile=local", "-jar", APP.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("IMAGEFN_STORAGE_ENDPOINT", s3.endpoint());
        if (!real) {
            env.put("GEMINI_API_KEY", "local-demo-key");
            env.put("IMAGEFN_GEMINI_BASE_URL", standIn.baseUrl());
        }
        Path log = LOCALSTACK.resolve("function.log");
        if ("run".equals(mode)) {
            pb.inheritIO();
        } else {
            pb.redirectOutput(log.toFile());
        }
        Process function = pb.start();
        running.add(0, () -> {
            function.destroy();
            function.waitFor();
        });
        String base = "http://127.0.0.1:" + port;
        awaitReady(base, function, log);
        say("Function:       %s (ready %d ms after start)", base, (System.nanoTime() - started) / 1_000_000);

        if (training) {
            int exit = train(base, standIn, Path.of(prompt), function);
            closeAll(running);
            System.exit(exit);
        }
        if ("run".equals(mode)) {
            say("Try:  curl -s -X POST %s/v1/images -H 'Content-Type: application/json' -d '{\"prompt\":\"a red fox\"}'",
                    base);
            say("Ctrl-C stops the function, the S3 server%s.", real ? "" : " and the stand-in");
            function.waitFor();
            return;
        }
        int exit = demo(base, prompt, s3, log, standIn);
        closeAll(running);
        System.exit(exit);
    }

    private static int demo(String base, String prompt, LocalS3 s3, Path log, GeminiStandIn standIn)
            throws Exception {
        String ratio = envString("ASPECT_RATIO", "16:9");
        String size = envString("IMAGE_SIZE", "1K");
        String body = JSON.writeValueAsString(Map.of("prompt", prompt, "aspectRatio", ratio, "imageSize", size));
        say("Prompt:         %s", prompt);
        say("Request:        aspectRatio %s, imageSize %s", ratio, size);
        long t0 = System.nanoTime();
        long logMark = Files.exists(log) ? Files.size(log) : 0;
        CompletableFuture<HttpResponse<String>> pending = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create(base + "/v1/images")).timeout(Duration.ofMinutes(10))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> response = awaitWithProgress(pending, t0, log, logMark);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (standIn != null) {
            int calls = standIn.calls();
            int retries = Math.max(0, calls - 1);
            say("Gemini calls:   %d to the stand-in (%d %s)", calls, retries, retries == 1 ? "retry" : "retries");
        }
        if (response.statusCode() != 200) {
            say("FAILED: HTTP %d after %d ms%n%s", response.statusCode(), ms, response.body());
            return 1;
        }
        JsonNode result = JSON.readTree(response.body());
        Path file = s3.file(result.get("bucket").asText(), result.get("key").asText());
        say("Result (%d ms): %s", ms, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        say("");
        say("Key:            %s", result.get("key").asText());
        say("Stored file:    %s  (S3Proxy's filesystem store)", file.toAbsolutePath());
        if (!Files.exists(file)) {
            say("FAILED: the stored file is missing");
            return 1;
        }
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        boolean same = sha.equals(result.get("sha256").asText());
        say("Stored bytes:   %d, sha256 %s the result's", Files.size(file), same ? "matches" : "DOES NOT match");
        Files.createDirectories(DEMO_OUT);
        Path copy = DEMO_OUT.resolve(file.getFileName().toString()).toAbsolutePath();
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        say("Copy:           %s", copy);
        say("Open it:        %s %s   or   %s", opener(), copy, copy.toUri());
        if (standIn != null) {
            say("                (the stand-in draws your prompt and the requested size: not a Gemini image)");
        }
        return same ? 0 : 1;
    }

    /**
     * Waits for the answer; past the first second prints the elapsed time each second, and each retry the
     * function logs ("Gemini attempt n failed ...") as it appears in its log.
     */
    private static HttpResponse<String> awaitWithProgress(CompletableFuture<HttpResponse<String>> pending, long t0,
            Path log, long logMark) throws Exception {
        long mark = logMark;
        int retries = 0;
        while (true) {
            try {
                return pending.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException stillRunning) {
                long size = Files.exists(log) ? Files.size(log) : 0;
                if (size > mark) {
                    byte[] fresh;
                    try (var in = Files.newInputStream(log)) {
                        in.skipNBytes(mark);
                        fresh = in.readNBytes((int) Math.min(size - mark, 1 << 20));
                    }
                    int complete = lastNewline(fresh);
                    for (String line : new String(fresh, 0, complete, java.nio.charset.StandardCharsets.UTF_8)
                            .split("\n")) {
                        int at = line.indexOf("Gemini attempt ");
                        if (at >= 0) {
                            retries++;
                            say("  retry:        %s", line.substring(at).strip());
                        }
                    }
                    mark += complete;
                }
                say("  waiting:      %d s%s", (System.nanoTime() - t0) / 1_000_000_000,
                        retries == 0 ? "" : ", " + retries + (retries == 1 ? " retry" : " retries") + " so far");
            }
        }
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i + 1;
            }
        }
        return 0;
    }

    private static String opener() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("mac") ? "open" : "xdg-open";
    }

    /**
     * The training workload: what a running function does (images of each size and format, CloudEvents, a refused
     * request, a repeated idempotency key), so the cache holds the classes and profiles of the real path.
     */
    private static int train(String base, GeminiStandIn standIn, Path cache, Process function) throws Exception {
        // HTTP/1.1 (gateways, load balancers) and HTTP/2 over h2c (Knative, Cloud Run's end-to-end HTTP/2), by round.
        HttpClient[] clients = {HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                HttpClient.newHttpClient()};
        int ok = 0;
        int sent = 0;
        String[][] shapes = {{"512", "image/jpeg", "150000"}, {"1K", "image/png", "1500000"},
                {"2K", "image/jpeg", "1500000"}, {"2K", "image/png", "5000000"}, {"1K", "image/jpeg", "450000"}};
        for (int round = 0; round < 4; round++) {
            HttpClient client = clients[round % 2];
            for (String[] shape : shapes) {
                standIn.answerByDefault(dev.imagefn.testing.Reply.image().mimeType(shape[1])
                        .padTo(Integer.parseInt(shape[2])));
                String body = JSON.writeValueAsString(Map.of("prompt", "training " + round + " " + shape[0],
                        "aspectRatio", "1:1", "imageSize", shape[0]));
                sent++;
                ok += post(client, base + "/v1/images", "application/json", body) == 200 ? 1 : 0;
            }
            sent++;
            ok += post(client, base + "/", "application/cloudevents+json", JSON.writeValueAsString(Map.of(
                    "specversion", "1.0", "id", "training-" + round, "source", "/training", "type",
                    "dev.imagefn.image.requested", "datacontenttype", "application/json", "data",
                    Map.of("prompt", "training event " + round, "idempotencyKey", "training-" + round)))) < 300 ? 1 : 0;
            post(client, base + "/v1/images", "application/json", "{\"prompt\":\"\"}");
        }
        function.destroy();
        if (!function.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
            function.destroyForcibly();
        }
        boolean written = Files.exists(cache);
        say("AOT training: %d of %d requests succeeded; cache %s%s", ok, sent, cache.toAbsolutePath(), written
                ? " written (" + (Files.size(cache) >> 20) + " MB)" : " NOT written (see " + LOCALSTACK.resolve("function.log") + ")");
        return written && ok == sent ? 0 : 1;
    }

    private static int post(HttpClient client, String url, String type, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** JVM options for the function (IMAGEFN_JAVA_OPTS): training and later runs must use the same ones. */
    private static List<String> jvmOptions() {
        String opts = System.getenv("IMAGEFN_JAVA_OPTS");
        return opts == null || opts.isBlank() ? List.of() : List.of(opts.strip().split("\\s+"));
    }

    private static void awaitReady(String base, Process function, Path log) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            if (!function.isAlive()) {
                throw new IllegalStateException("the function exited with " + function.exitValue() + "; see " + log
                        + (Files.exists(log) ? ":\n" + Files.readString(log) : ""));
            }
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the function was not ready within 60 s; see " + log);
    }

    private static void closeAll(List<AutoCloseable> running) {
        for (AutoCloseable c : List.copyOf(running)) {
            try {
                c.close();
            } catch (Exception ignored) {
                // shutting down
            }
            running.remove(c);
        }
    }

    private static String javaBin() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static String envString(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.strip();
    }

    /** {@code 3s}, {@code 1500ms}, {@code 2m} or an ISO-8601 duration; unset is zero. */
    private static Duration envDuration(String name) {
        String v = envString(name, "0s").toLowerCase(java.util.Locale.ROOT);
        if (v.startsWith("p")) {
            return Duration.parse(v);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m)?").matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(name + " must be like 3s, 1500ms or 2m: " + v);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static int envInt(String name, int fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.strip());
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(format, args));
    }
}
