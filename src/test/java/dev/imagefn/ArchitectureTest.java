package dev.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The folder tree is the architecture: a core that knows no trigger, one delivery layer, carriers that only
 * translate, no cycles. Read from the compiled classes' constant pools (every class a class refers to).
 */
class ArchitectureTest {
    private static final String ROOT = "dev.imagefn.";

    private static Map<String, Set<String>> packageDependencies() throws Exception {
        Map<String, Set<String>> deps = new TreeMap<>();
        Path classes = Path.of("target/classes");
        try (Stream<Path> files = Files.walk(classes.resolve("dev/imagefn"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                ClassModel c = ClassFile.of().parse(Files.readAllBytes(p));
                String from = pkg(c.thisClass().asInternalName());
                Set<String> to = deps.computeIfAbsent(from, k -> new TreeSet<>());
                for (var entry : c.constantPool()) {
                    if (entry instanceof ClassEntry ce) {
                        String name = ce.asInternalName().replaceFirst("^\\[*L?", "").replace(";", "");
                        if (name.startsWith("dev/imagefn/") && !pkg(name).equals(from)) {
                            to.add(pkg(name));
                        }
                    }
                }
            }
        }
        return deps;
    }

    private static String pkg(String internalName) {
        String dotted = internalName.replace('/', '.');
        return dotted.substring(ROOT.length(), dotted.lastIndexOf('.'));
    }

    @Test
    void noPackageCycles() throws Exception {
        Map<String, Set<String>> deps = packageDependencies();
        assertTrue(deps.keySet().containsAll(List.of("core", "delivery", "delivery.http", "http", "lambda", "gemini",
                "storage", "json", "config", "core.idempotency")), deps.keySet().toString());
        List<String> cycles = new ArrayList<>();
        for (String start : deps.keySet()) {
            reach(start, start, deps, new ArrayList<>(List.of(start)), cycles);
        }
        assertEquals(List.of(), cycles);
    }

    private static void reach(String start, String at, Map<String, Set<String>> deps, List<String> path,
            List<String> cycles) {
        for (String next : deps.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (!path.contains(next)) {
                path.add(next);
                reach(start, next, deps, path, cycles);
                path.remove(path.size() - 1);
            }
        }
    }

    @Test
    void nothingDependsOnACarrierAndTheCoreKnowsNoTrigger() throws Exception {
        Map<String, Set<String>> deps = packageDependencies();
        List<String> wrong = new ArrayList<>();
        deps.forEach((from, to) -> {
            for (String t : to) {
                boolean carrier = t.equals("http") || t.equals("lambda");
                boolean coreToOuter = from.startsWith("core") && !t.startsWith("core") && !t.equals("config");
                boolean idempotencyToProject = from.equals("core.idempotency");
                if (carrier || coreToOuter || idempotencyToProject) {
                    wrong.add(from + " -> " + t);
                }
            }
        });
        assertEquals(List.of(), wrong);
    }
}
