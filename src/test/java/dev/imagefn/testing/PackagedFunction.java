package dev.imagefn.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged function as a separate process, as a user runs it: the native executable when the build made one
 * ({@code -Dnative}), else {@code target/quarkus-app/quarkus-run.jar} on this JVM's {@code java}. The environment
 * starts without {@code GEMINI_API_KEY} and {@code IMAGEFN_STORAGE_BUCKET}, so only what a test gives counts. Its
 * output goes to {@code target/packaged-function-logs/imagefn-<port>.log}.
 */
public final class PackagedFunction implements AutoCloseable {
    private static final Path TARGET = Path.of("target");
    private static final Path JAR = TARGET.resolve("quarkus-app/quarkus-run.jar");

    private final Process process;
    private final int port;
    private final Path log;

    private PackagedFunction(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The command line, {@code -D} settings included (before {@code -jar} for the JVM, after the executable natively). */
    public static List<String> command(List<String> systemProperties) {
        List<String> cmd = new ArrayList<>();
        try (var files = Files.list(TARGET)) {
            var runner = files.filter(p -> p.getFileName().toString().endsWith("-runner") && Files.isExecutable(p))
                    .findFirst();
            if (runner.isPresent()) {
                cmd.add(runner.get().toString());
                cmd.addAll(systemProperties);
                return cmd;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(systemProperties);
        cmd.add("-jar");
        cmd.add(JAR.toString());
        return cmd;
    }

    /** A process builder for the function on {@code port}, its output merged; the caller adds settings and starts it. */
    public static ProcessBuilder processBuilder(int port, List<String> systemProperties) {
        ProcessBuilder pb = new ProcessBuilder(command(systemProperties)).redirectErrorStream(true);
        pb.environment().remove("GEMINI_API_KEY");
        pb.environment().remove("IMAGEFN_STORAGE_BUCKET");
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        return pb;
    }

    /** The environment for the local stack: the stand-in, S3Proxy and its bucket {@code images}. */
    public static Map<String, String> localStack(LocalS3 s3, GeminiStandIn gemini, String apiKey) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GEMINI_API_KEY", apiKey);
        env.put("IMAGEFN_GEMINI_BASE_URL", gemini.baseUrl());
        env.put("IMAGEFN_STORAGE_BUCKET", "images");
        env.put("IMAGEFN_STORAGE_ENDPOINT", s3.endpoint());
        env.put("IMAGEFN_STORAGE_PATH_STYLE", "true");
        env.put("IMAGEFN_STORAGE_CREATE_BUCKET", "true");
        env.put("AWS_ACCESS_KEY_ID", LocalS3.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", LocalS3.SECRET_KEY);
        return env;
    }

    /**
     * Starts the function on a free port with {@code env} added to its environment and {@code systemProperties}
     * ({@code -Dname=value}) on its command line, and waits until {@code /q/health/ready} answers 200.
     */
    public static PackagedFunction start(Map<String, String> env, List<String> systemProperties, Duration timeout)
            throws IOException, InterruptedException {
        int port = LocalS3.freePort();
        ProcessBuilder pb = processBuilder(port, systemProperties);
        pb.environment().putAll(env);
        Path log = Files.createDirectories(TARGET.resolve("packaged-function-logs")).resolve("imagefn-" + port + ".log");
        PackagedFunction f = new PackagedFunction(pb.redirectOutput(log.toFile()).start(), port, log);
        try {
            f.awaitReady(timeout);
        } catch (RuntimeException | IOException | InterruptedException e) {
            f.close();
            throw e;
        }
        return f;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long end = System.nanoTime() + timeout.toNanos();
        int ready = 0;
        while (ready != 200 && System.nanoTime() < end && process.isAlive()) {
            try {
                ready = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        if (ready != 200) {
            throw new IllegalStateException("the function on port " + port + " is not ready after " + timeout
                    + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")") + ":\n" + log());
        }
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** What the function printed so far. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
