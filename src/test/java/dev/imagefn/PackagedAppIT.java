package dev.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.LocalS3;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged function as a user runs it: the native executable when the build made one ({@code -Dnative}),
 * else {@code target/quarkus-app}.
 */
class PackagedAppIT {
    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private static List<String> command() {
        try (var files = Files.list(Path.of("target"))) {
            var runner = files.filter(p -> p.getFileName().toString().endsWith("-runner") && Files.isExecutable(p))
                    .findFirst();
            if (runner.isPresent()) {
                return List.of(runner.get().toString());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return List.of(ProcessHandle.current().info().command().orElse("java"), "-jar", JAR.toString());
    }

    private static ProcessBuilder function(int port) {
        ProcessBuilder pb = new ProcessBuilder(command()).redirectErrorStream(true);
        pb.environment().remove("GEMINI_API_KEY");
        pb.environment().remove("IMAGEFN_STORAGE_BUCKET");
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        return pb;
    }

    @Test
    void refusesToStartWithoutTheRequiredSettingsAndNamesThem() throws Exception {
        Process p = function(LocalS3.freePort()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "must fail fast, not hang");
        String out = new String(p.getInputStream().readAllBytes());
        assertNotEquals(0, p.exitValue());
        assertTrue(out.contains("GEMINI_API_KEY") && out.contains("imagefn.gemini.api-key"), out);
        assertTrue(out.contains("IMAGEFN_STORAGE_BUCKET") && out.contains("imagefn.storage.bucket"), out);
    }

    @Test
    void servesAnImageOnTheLocalStack() throws Exception {
        try (LocalS3 s3 = LocalS3.start(Path.of(System.getProperty("localstack.dir", "target/localstack")), 0);
                GeminiStandIn gemini = new GeminiStandIn(0, "it-key")) {
            int port = LocalS3.freePort();
            ProcessBuilder pb = function(port);
            pb.environment().put("GEMINI_API_KEY", "it-key");
            pb.environment().put("IMAGEFN_GEMINI_BASE_URL", gemini.baseUrl());
            pb.environment().put("IMAGEFN_STORAGE_BUCKET", "images");
            pb.environment().put("IMAGEFN_STORAGE_ENDPOINT", s3.endpoint());
            pb.environment().put("IMAGEFN_STORAGE_PATH_STYLE", "true");
            pb.environment().put("IMAGEFN_STORAGE_CREATE_BUCKET", "true");
            pb.environment().put("AWS_ACCESS_KEY_ID", LocalS3.ACCESS_KEY);
            pb.environment().put("AWS_SECRET_ACCESS_KEY", LocalS3.SECRET_KEY);
            Path log = Files.createTempFile("imagefn-it", ".log");
            Process p = pb.redirectOutput(log.toFile()).start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + port;
                long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                int ready = 0;
                while (ready != 200 && System.nanoTime() < end && p.isAlive()) {
                    try {
                        ready = http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (java.io.IOException e) {
                        Thread.sleep(100);
                    }
                }
                assertEquals(200, ready, Files.readString(log));
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/images"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"packaged\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                String key = r.body().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
                assertTrue(Files.exists(s3.file("images", key)), key);
                assertTrue(java.util.Arrays.equals(gemini.lastFinalImages().get(0),
                        Files.readAllBytes(s3.file("images", key))));
                assertTrue(!Files.readString(log).contains("it-key"), "the key is not logged");
            } finally {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
