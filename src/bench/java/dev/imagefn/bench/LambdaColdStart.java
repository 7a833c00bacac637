package dev.imagefn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A function.zip started as Lambda starts it, against a local {@link RuntimeApi}: unpacked as the task root, a
 * native zip's {@code bootstrap} as provided.al2023 runs it (deploy/aws/template.yaml), a JVM zip under AWS's Runtime
 * Interface Client as the managed java25 runtime runs it (handler, memory and JAVA_TOOL_OPTIONS of
 * deploy/aws/template-snapstart.yaml). The same start as FunctionZipIT, timed.
 */
final class LambdaColdStart {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    private static final Duration WAIT = Duration.ofSeconds(120);

    /** Milliseconds from spawn to the first poll and to the response; RSS of the process (tree) right after it. */
    record Run(long firstPollMs, long firstResponseMs, long rssBytes, String key) {
    }

    private final boolean nativeZip;
    private final Path task;
    private final Template template;
    private final List<String> command;

    /**
     * Unpacks {@code zip} into {@code work}/task. A JVM zip needs the RIC class path the {@code -Plambda} build writes
     * beside it ({@code lambda-ric/classpath.txt}).
     */
    LambdaColdStart(Path zip, Path work, String java) throws IOException {
        task = unzip(zip, work.resolve("task"));
        Path bootstrap = task.resolve("bootstrap");
        nativeZip = Files.isRegularFile(bootstrap);
        template = Template.read(Path.of(nativeZip ? "deploy/aws/template.yaml" : "deploy/aws/template-snapstart.yaml"));
        if (nativeZip) {
            if (!bootstrap.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + bootstrap + " executable");
            }
            command = List.of(bootstrap.toString());
        } else {
            Path ric = zip.resolveSibling("lambda-ric/classpath.txt");
            String classpath = Files.readString(ric).strip();
            if (!classpath.contains("aws-lambda-java-runtime-interface-client")) {
                throw new IllegalStateException(ric + " does not name AWS's Runtime Interface Client: " + classpath);
            }
            // serial GC and a heap within the function's memory, as on Lambda
            command = List.of(java, "-XX:+UseSerialGC", "-Xmx" + template.memoryMb() * 85 / 100 + "m", "-cp", classpath,
                    RIC_MAIN, template.handler());
        }
    }

    boolean isNative() {
        return nativeZip;
    }

    /**
     * One cold start: spawns the function with Lambda's environment plus {@code functionEnv}, hands it
     * {@code event}, and returns the timings once it answered with a success whose {@code key} is {@code stored}. An
     * error, an init error, an exit or no answer throws, with the function's output.
     */
    Run once(String event, Map<String, String> functionEnv, Predicate<String> stored, Path log) throws Exception {
        try (RuntimeApi api = new RuntimeApi(event, template.timeoutSeconds())) {
            ProcessBuilder pb = new ProcessBuilder(command).directory(task.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.clear(); // Lambda's environment, not the developer's
            env.putAll(lambdaEnv(api.port()));
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
        return nativeZip ? "native Lambda bootstrap" : "JVM Lambda zip";
    }

    private Map<String, String> lambdaEnv(int port) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + port);
        env.put("_HANDLER", template.handler());
        env.put("LAMBDA_TASK_ROOT", task.toString());
        env.put("AWS_EXECUTION_ENV", nativeZip ? "AWS_Lambda_provided.al2023" : "AWS_Lambda_java25");
        env.put("AWS_LAMBDA_FUNCTION_NAME", "imagefn");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(template.memoryMb()));
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/imagefn");
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[$LATEST]0123456789abcdef");
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_DEFAULT_REGION", "eu-west-1");
        if (nativeZip) {
            env.put("DISABLE_SIGNAL_HANDLERS", "true");
        } else if (template.javaToolOptions() != null) {
            env.put("JAVA_TOOL_OPTIONS", template.javaToolOptions());
        }
        return env;
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

    /** Unpacks the zip as Lambda does into /var/task. */
    private static Path unzip(Path zip, Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> old = Files.walk(dir)) {
                for (Path f : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
        Files.createDirectories(dir);
        Path root = dir.toAbsolutePath().normalize();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                Path target = root.resolve(e.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException(zip + ": entry outside the task root: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target);
                }
            }
        }
        return root;
    }

    /** What the SAM template says about the function (function properties over Globals). */
    private record Template(String handler, String javaToolOptions, int memoryMb, int timeoutSeconds) {
        static Template read(Path path) throws IOException {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(path.toFile());
            JsonNode globals = root.at("/Globals/Function");
            JsonNode fn = root.at("/Resources/ImagefnFunction/Properties");
            String handler = fn.path("Handler").asText(null);
            if (handler == null) {
                throw new IOException(path + ": no Handler");
            }
            JsonNode opts = fn.at("/Environment/Variables/JAVA_TOOL_OPTIONS");
            if (opts.isMissingNode()) {
                opts = globals.at("/Environment/Variables/JAVA_TOOL_OPTIONS");
            }
            return new Template(handler, opts.isMissingNode() ? null : opts.asText(),
                    fn.path("MemorySize").asInt(globals.path("MemorySize").asInt(128)),
                    fn.path("Timeout").asInt(globals.path("Timeout").asInt(3)));
        }
    }
}
