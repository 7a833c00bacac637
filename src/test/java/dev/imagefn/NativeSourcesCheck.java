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
        Path jar;
        try (Stream<Path> files = Files.list(dir)) {
            jar = files.filter(p -> p.toString().endsWith("-runner.jar")).findFirst().orElseThrow();
        }
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
