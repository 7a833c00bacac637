package dev.imagefn.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.constantpool.ClassEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code make demo}, {@code make run} and {@code make aot} run {@link LocalStack} (with the stand-in and S3Proxy) from
 * {@code target/test-classes} and the test class path, without the function's own classes, which run in the child
 * process. So nothing LocalStack reaches may name a class of the function.
 */
class LocalStackClassPathTest {
    private static final Path TEST_CLASSES = Path.of("target/test-classes");

    @Test
    void localStackReachesNoClassOfTheFunction() throws IOException {
        Set<String> offending = new TreeSet<>();
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.add("dev/imagefn/demo/LocalStack");
        while (!todo.isEmpty()) {
            String name = todo.poll();
            if (!seen.add(name)) {
                continue;
            }
            Path file = TEST_CLASSES.resolve(name + ".class");
            if (!Files.exists(file)) {
                offending.add(name + " (not a test class)");
                continue;
            }
            for (var entry : ClassFile.of().parse(file).constantPool()) {
                if (entry instanceof ClassEntry c && c.asInternalName().startsWith("dev/imagefn/")) {
                    todo.add(c.asInternalName());
                }
            }
        }
        assertTrue(seen.size() > 5, "the walk found LocalStack and the stand-in: " + seen);
        assertEquals(Set.of(), offending, "classes LocalStack reaches that are not on its class path");
    }
}
