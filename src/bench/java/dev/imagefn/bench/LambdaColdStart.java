package dev.imagefn.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.testing.LambdaTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A function.zip started as Lambda starts it, against a local {@link RuntimeApi}: unpacked as the task root, a
 * native zip's {@code bootstrap} as provided.al2023 runs it (deploy/aws/template.yaml), a JVM zip under AWS's Runtime
 * Interface Client as the managed java25 runtime runs it (handler, memory and JAVA_TOOL_OPTIONS of
 * deploy/aws/template-snapstart.yaml). The same start as FunctionZipIT, timed.
 */
final class LambdaColdStart {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(120);

    /** Milliseconds from spawn to the first poll and to the response; RSS of the process (tree) right after it. */
    record Run(long firstPollMs, long firstResponseMs, long rssBytes, String key) {
    }

    private final LambdaTask task;
    private final List<String> command;

    /**
     * Unpacks {@code zip} into {@code work}/task. A JVM zip needs the RIC class path the {@code -Plambda} build writes
     * beside it ({@code lambda-ric/classpath.txt}).
     */
    LambdaColdStart(Path zip, Path work, String java) throws IOException {
        task = LambdaTask.unpack(zip, work.resolve("task"));
        command = task.command(zip.resolveSibling("lambda-ric/classpath.txt"), java);
    }

    boolean isNative() {
        return task.isNative();
    }

    /**
     * One cold start: spawns the function with Lambda's environment plus {@code functionEnv}, hands it
     * {@code event}, and returns the timings once it answered with a success whose {@code key} is {@code stored}. An
     * error, an init error, an exit or no answer throws, with the function's output.
     */
    Run once(String event, Map<String, String> functionEnv, Predicate<String> stored, Path log) throws Exception {
        try (RuntimeApi api = new RuntimeApi(event, task.template().timeoutSeconds())) {
            ProcessBuilder pb = new ProcessBuilder(command).directory(task.root().toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.clear(); // Lambda's environment, not the developer's
            env.putAll(task.environment(api.port()));
            env.putAll(functionEnv);
            long start = System.nanoTime();
            Process p = pb.start();
            try {
                RuntimeApi.Answer answer;
                try {
                    answer = api.await(p, WAIT);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(name() + ": " + e.getMessage() + "; output:\n" + Files.readString(log), e);
                }
                if (!answer.kind().equals("response")) {
                    throw new IllegalStateException(name() + " answered with " + answer.kind() + ": " + answer.body()
                            + "\noutput:\n" + Files.readString(log));
                }
                long rss = rss(p);
                String key = JSON.readTree(answer.body()).path("key").asText("");
                if (key.isEmpty() || !stored.test(key)) {
                    throw new IllegalStateException(name() + " answered " + answer.body() + ", but no object '" + key
                            + "' is in the bucket");
                }
                return new Run(ms(api.firstPollNanos() - start), ms(answer.atNanos() - start), rss, key);
            } finally {
                stop(p);
            }
        }
    }

    private String name() {
        return task.isNative() ? "native Lambda bootstrap" : "JVM Lambda zip";
    }

    /** RSS of the process and anything it started (a bootstrap may be a wrapper around the real runtime). */
    private long rss(Process p) throws IOException {
        long sum;
        try {
            sum = new Probe(p.pid()).rss();
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(name() + " exited right after its response", e);
        }
        for (ProcessHandle child : p.descendants().toList()) {
            try {
                sum += Math.max(0, new Probe(child.pid()).rss());
            } catch (NoSuchFileException e) {
                // ended meanwhile
            }
        }
        return sum;
    }

    private static void stop(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
