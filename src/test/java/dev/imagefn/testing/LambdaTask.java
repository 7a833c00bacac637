package dev.imagefn.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A built function.zip unpacked as Lambda's task root, and how Lambda starts it: a native zip's {@code bootstrap}
 * (provided.al2023, deploy/aws/template.yaml) or a JVM zip under AWS's Runtime Interface Client (java25, the
 * handler, memory and {@code JAVA_TOOL_OPTIONS} of deploy/aws/template-snapstart.yaml). FunctionZipIT and the
 * bench's Lambda cold start both run it.
 */
public final class LambdaTask {
    private static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

    private final Path root;
    private final boolean nativeZip;
    private final Template template;

    private LambdaTask(Path root, boolean nativeZip, Template template) {
        this.root = root;
        this.nativeZip = nativeZip;
        this.template = template;
    }

    /** Unpacks {@code zip} into {@code dir} (emptied first), as Lambda does into /var/task. */
    public static LambdaTask unpack(Path zip, Path dir) throws IOException {
        Path root = unzip(zip, dir);
        boolean nativeZip = Files.isRegularFile(root.resolve("bootstrap"));
        return new LambdaTask(root, nativeZip, Template.read(Path.of(nativeZip ? "deploy/aws/template.yaml"
                : "deploy/aws/template-snapstart.yaml")));
    }

    public Path root() {
        return root;
    }

    public boolean isNative() {
        return nativeZip;
    }

    public Template template() {
        return template;
    }

    /**
     * The process Lambda starts. A JVM zip needs the RIC class path the {@code -Plambda} build writes beside it
     * ({@code lambda-ric/classpath.txt}), run on {@code java} with serial GC and a heap within the function's memory.
     */
    public List<String> command(Path ricClasspath, String java) throws IOException {
        if (nativeZip) {
            Path bootstrap = root.resolve("bootstrap");
            if (!bootstrap.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + bootstrap + " executable");
            }
            return List.of(bootstrap.toString());
        }
        String classpath = Files.readString(ricClasspath).strip();
        if (!classpath.contains("aws-lambda-java-runtime-interface-client")) {
            throw new IllegalStateException(ricClasspath + " does not name AWS's Runtime Interface Client: "
                    + classpath);
        }
        return List.of(java, "-XX:+UseSerialGC", "-Xmx" + template.memoryMb() * 85 / 100 + "m", "-cp", classpath,
                RIC_MAIN, template.handler());
    }

    /** Lambda's environment for a Runtime API on 127.0.0.1:{@code runtimeApiPort}, nothing of the developer's. */
    public Map<String, String> environment(int runtimeApiPort) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + runtimeApiPort);
        env.put("_HANDLER", template.handler());
        env.put("LAMBDA_TASK_ROOT", root.toString());
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
    public record Template(String handler, String javaToolOptions, int memoryMb, int timeoutSeconds) {
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
