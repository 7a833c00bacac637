package dev.imagefn.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.LocalS3;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * {@code make demo} and {@code make run}: S3Proxy on 127.0.0.1, the Gemini stand-in unless
 * {@code GEMINI_API_KEY} is set, and the packaged function ({@code target/quarkus-app}) as a child process,
 * with the JDK AOT cache ({@code app.aot} beside the jar) when there is one. {@code train CACHE} (make build)
 * writes that cache: the function serves a fixed workload on the same local stack (never the real API), then
 * exits and the JVM writes the cache.
 */
public final class LocalStack {
    private static final Path APP = Path.of(System.getProperty("imagefn.app", "target/quarkus-app"), "quarkus-run.jar");
    private static final Path LOCALSTACK = Path.of(System.getProperty("imagefn.localstack", "target/localstack"));
    /** The cache make build leaves beside the jar; the JVM uses it only if it matches this JDK and class path. */
    public static final Path AOT_CACHE = APP.resolveSibling("app.aot");
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
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
        int exit = demo(base, prompt, s3);
        closeAll(running);
        System.exit(exit);
    }

    private static int demo(String base, String prompt, LocalS3 s3) throws Exception {
        String body = JSON.writeValueAsString(Map.of("prompt", prompt, "aspectRatio", "16:9", "imageSize", "1K"));
        say("Prompt:         %s", prompt);
        long t0 = System.nanoTime();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/v1/images"))
                .timeout(Duration.ofMinutes(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (response.statusCode() != 200) {
            say("FAILED: HTTP %d after %d ms%n%s", response.statusCode(), ms, response.body());
            return 1;
        }
        JsonNode result = JSON.readTree(response.body());
        Path file = s3.file(result.get("bucket").asText(), result.get("key").asText());
        say("Result (%d ms): %s", ms, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        say("");
        say("Key:            %s", result.get("key").asText());
        say("Stored file:    %s", file.toAbsolutePath());
        if (!Files.exists(file)) {
            say("FAILED: the stored file is missing");
            return 1;
        }
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        boolean same = sha.equals(result.get("sha256").asText());
        say("Stored bytes:   %d, sha256 %s the result's", Files.size(file), same ? "matches" : "DOES NOT match");
        return same ? 0 : 1;
    }

    /**
     * The training workload: what a running function does (images of each size and format, CloudEvents, a refused
     * request, a repeated idempotency key), so the cache holds the classes and profiles of the real path.
     */
    private static int train(String base, GeminiStandIn standIn, Path cache, Process function) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        int ok = 0;
        int sent = 0;
        String[][] shapes = {{"512", "image/jpeg", "150000"}, {"1K", "image/png", "1500000"},
                {"2K", "image/jpeg", "1500000"}, {"2K", "image/png", "5000000"}, {"1K", "image/jpeg", "450000"}};
        for (int round = 0; round < 4; round++) {
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

    private static int envInt(String name, int fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.strip());
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(format, args));
    }
}
