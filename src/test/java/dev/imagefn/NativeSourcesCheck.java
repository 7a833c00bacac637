package dev.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Runs after {@code make native-sources} ({@code make test} does both): the project's own JSON types —
 * every record and everything in {@code dev.imagefn.json} — must not need runtime reflection in the
 * native image. Run with {@code -Dnative.sources.dir=target/native-sources}.
 */
class NativeSourcesCheck {

    @Test
    void projectTypesAreNotRegisteredForReflection() throws Exception {
        Path dir = Path.of(System.getProperty("native.sources.dir", "target/native-sources"));
        assertTrue(Files.isDirectory(dir), dir + " is missing: run make native-sources first");
        assertTrue(Files.exists(dir.resolve("native-image.args")), "native-image.args is missing");
        Path jar = runnerJar(dir);
        Set<String> registered = new TreeSet<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            var entry = zip.getEntry("META-INF/native-image/reflect-config.json");
            assertTrue(entry != null, "no reflect-config.json in " + jar);
            try (InputStream in = zip.getInputStream(entry)) {
                for (JsonNode node : new ObjectMapper().readTree(in)) {
                    registered.add(node.get("name").asText());
                }
            }
        }
        assertFalse(registered.isEmpty(), "reflect-config.json lists nothing: the check would be vacuous");

        List<String> jsonTypes = projectJsonTypes();
        assertTrue(jsonTypes.contains("dev.imagefn.core.ImageRequest"), "type scan found " + jsonTypes);
        assertTrue(jsonTypes.contains("dev.imagefn.core.ImageResult"), "type scan found " + jsonTypes);
        List<String> offending = jsonTypes.stream().filter(registered::contains).toList();
        assertEquals(List.of(), offending, "these project types are registered for reflection in the native image");
    }

    private static Path runnerJar(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith("-runner.jar")).findFirst().orElseThrow();
        }
    }

    /** GET /q/openapi reads deploy/openapi.yaml and .json from the classpath: the native image must carry them. */
    @Test
    void theServedOpenApiDocumentsAreNativeResources() throws Exception {
        Path dir = Path.of(System.getProperty("native.sources.dir", "target/native-sources"));
        Path jar = runnerJar(dir);
        List<String> patterns = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            var entry = zip.getEntry("META-INF/native-image/resource-config.json");
            assertTrue(entry != null, "no resource-config.json in " + jar);
            try (InputStream in = zip.getInputStream(entry)) {
                new ObjectMapper().readTree(in).path("resources").path("includes")
                        .forEach(n -> patterns.add(n.path("pattern").asText()));
            }
            for (String name : List.of("openapi.yaml", "openapi.json")) {
                String resource = "META-INF/imagefn/" + name;
                assertTrue(zip.getEntry(resource) != null, resource + " is not in " + jar);
                assertTrue(patterns.stream().anyMatch(resource::matches), resource + " matches none of the native"
                        + " resource patterns " + patterns + " (quarkus.native.resources.includes)");
                assertTrue(Files.readString(Path.of("deploy", name)).equals(new String(zip.getInputStream(
                        zip.getEntry(resource)).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)), resource);
            }
        }
    }

    /**
     * BuildTimeStateTest assumes what Quarkus does: every class is initialised at build time, and none of the
     * project's is moved to run time (which would hide a defect behind a build flag instead of fixing it).
     */
    @Test
    void everyProjectClassIsInitialisedAtBuildTime() throws Exception {
        Path dir = Path.of(System.getProperty("native.sources.dir", "target/native-sources"));
        Path jar = runnerJar(dir);
        List<String> strings = new ArrayList<>();
        boolean allAtBuildTime = false;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            var entry = zip.getEntry("io/quarkus/runner/Feature.class");
            assertTrue(entry != null, "no generated Feature in " + jar);
            var feature = java.lang.classfile.ClassFile.of().parse(zip.getInputStream(entry).readAllBytes());
            for (var m : feature.methods()) {
                if (m.code().isEmpty()) {
                    continue;
                }
                String previous = null;
                for (var e : m.code().get()) {
                    if (e instanceof java.lang.classfile.instruction.ConstantInstruction.LoadConstantInstruction c
                            && c.constantValue() instanceof String text) {
                        strings.add(text);
                        previous = text;
                    } else if (e instanceof java.lang.classfile.instruction.InvokeInstruction i
                            && i.name().stringValue().equals("initializeAtBuildTime") && "".equals(previous)) {
                        allAtBuildTime = true;
                    }
                }
            }
        }
        assertTrue(strings.size() > 20, "the Feature's constants were not read: " + strings);
        assertTrue(allAtBuildTime, "Quarkus no longer initialises every class at build time: revisit BuildTimeStateTest");
        assertEquals(List.of(), strings.stream().filter(t -> t.startsWith("dev.imagefn")).toList(),
                "project classes named in the native-image Feature (run-time initialisation or the like)");
        String args = Files.readString(dir.resolve("native-image.args"));
        assertFalse(args.contains("dev.imagefn") || args.contains("java.math.BigDecimal"),
                "native-image.args carries a project-specific work-around: " + args);
    }

    /**
     * The executable's young generation is capped (application.properties, docs/BENCHMARKS.md): by default its first
     * collection waits for 48 MB of eden, all of it resident after the first image. {@code make native-check} shows
     * the builder accepts the option.
     */
    @Test
    void theNativeExecutableCapsItsYoungGeneration() throws Exception {
        Path dir = Path.of(System.getProperty("native.sources.dir", "target/native-sources"));
        String args = Files.readString(dir.resolve("native-image.args"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|\\s)-R:MaxNewSize=(\\d+)m(?:\\s|$)")
                .matcher(args);
        assertTrue(m.find(), "no -R:MaxNewSize=<n>m in native-image.args");
        int mb = Integer.parseInt(m.group(1));
        assertTrue(mb >= 8 && mb <= 32, "-R:MaxNewSize=" + mb + "m: outside the measured range (8-32 MB)");
        assertFalse(m.find(), "-R:MaxNewSize given twice");
    }

    /** Records anywhere in the project, and every class of the JSON codec package. */
    private static List<String> projectJsonTypes() throws IOException, ClassNotFoundException {
        Path classes = Path.of("target/classes");
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes.resolve("dev/imagefn"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, NativeSourcesCheck.class.getClassLoader());
                if (type.isRecord() || name.startsWith("dev.imagefn.json.")) {
                    out.add(name);
                }
            }
        }
        return out;
    }
}
