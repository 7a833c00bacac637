package dev.imagefn.nativeimage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.reflect.AccessFlag;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Quarkus initialises every class at native-image build time ({@code initializeAtBuildTime("")}), so whatever a
 * static initialiser computes is frozen into the executable. native-image refuses some of it outright (a
 * {@code Random}/{@code SecureRandom} in the image heap stopped the build once); the rest silently becomes
 * build-machine state (a clock reading, an environment variable, a thread pool sized for the builder). This
 * guard needs no GraalVM and looks at the project's compiled classes three ways:
 * <ol>
 * <li>static fields whose declared type is such state;
 * <li>what each static initialiser calls, following calls into the project's own methods and lambdas;
 * <li>the static values themselves after initialising each class here, walked through collections, arrays and
 * library objects (this is what the image heap would hold).
 * </ol>
 * Cannot catch: state reached only through reflection or method handles, a library's own static state (GraalVM
 * and the library's Quarkus extension own that), and anything Quarkus records at build time on the project's
 * behalf (build steps, bean metadata), which the real native build checks.
 */
class BuildTimeStateTest {
    private static final Path CLASSES = Path.of("target/classes");
    private static final String OWN = "dev/imagefn/";

    /** Types that must never sit in a static field of a build-time initialised class. */
    private static final List<Class<?>> STATE_TYPES = List.of(java.util.Random.class, java.util.SplittableRandom.class,
            Thread.class, java.util.concurrent.Executor.class, java.util.Timer.class, java.time.Instant.class,
            java.time.LocalDate.class, java.time.LocalDateTime.class, java.time.OffsetDateTime.class,
            java.time.ZonedDateTime.class, java.util.Date.class, java.util.Calendar.class);

    /** Calls whose answer depends on the machine or the moment: wrong when made at build time. */
    private static final Map<String, Set<String>> STATE_CALLS = Map.ofEntries(
            Map.entry("java/lang/System", Set.of("getenv", "getProperty", "getProperties", "currentTimeMillis",
                    "nanoTime")),
            Map.entry("java/lang/Runtime", Set.of("availableProcessors", "maxMemory", "totalMemory", "freeMemory")),
            Map.entry("java/lang/Math", Set.of("random")),
            Map.entry("java/lang/ProcessHandle", Set.of("current")),
            Map.entry("java/lang/Thread", Set.of("<init>", "start", "ofPlatform", "ofVirtual", "startVirtualThread")),
            Map.entry("java/util/UUID", Set.of("randomUUID")),
            Map.entry("java/util/Random", Set.of("<init>")),
            Map.entry("java/util/SplittableRandom", Set.of("<init>")),
            Map.entry("java/security/SecureRandom", Set.of("<init>", "getInstance", "getInstanceStrong")),
            Map.entry("java/util/concurrent/ThreadLocalRandom", Set.of("current")),
            Map.entry("java/util/concurrent/Executors", Set.of("*")),
            Map.entry("java/util/concurrent/ThreadPoolExecutor", Set.of("<init>")),
            Map.entry("java/util/concurrent/ScheduledThreadPoolExecutor", Set.of("<init>")),
            Map.entry("java/util/concurrent/ForkJoinPool", Set.of("<init>", "commonPool")),
            Map.entry("java/util/Timer", Set.of("<init>")),
            Map.entry("java/time/Instant", Set.of("now")),
            Map.entry("java/time/LocalDate", Set.of("now")),
            Map.entry("java/time/LocalDateTime", Set.of("now")),
            Map.entry("java/time/LocalTime", Set.of("now")),
            Map.entry("java/time/OffsetDateTime", Set.of("now")),
            Map.entry("java/time/ZonedDateTime", Set.of("now")),
            Map.entry("java/time/Clock", Set.of("millis", "instant")),
            Map.entry("java/net/InetAddress", Set.of("getLocalHost")));

    @Test
    void noStaticFieldHoldsRandomnessThreadsOrTime() throws Exception {
        List<String> found = new ArrayList<>();
        for (ClassModel c : projectClasses()) {
            for (FieldModel f : c.fields()) {
                if (!f.flags().has(AccessFlag.STATIC) || !f.fieldTypeSymbol().isClassOrInterface()) {
                    continue;
                }
                Class<?> type = load(f.fieldTypeSymbol().descriptorString());
                for (Class<?> bad : STATE_TYPES) {
                    if (type != null && bad.isAssignableFrom(type)) {
                        found.add(name(c) + "." + f.fieldName().stringValue() + " : " + type.getName());
                    }
                }
            }
        }
        assertEquals(List.of(), found, "static fields of build-time initialised classes holding run-time state");
    }

    @Test
    void noStaticInitialiserReadsTheMachineOrTheClock() throws Exception {
        Map<String, MethodModel> methods = new HashMap<>();
        List<ClassModel> classes = projectClasses();
        for (ClassModel c : classes) {
            for (MethodModel m : c.methods()) {
                methods.put(key(c.thisClass().asInternalName(), m.methodName().stringValue(),
                        m.methodType().stringValue()), m);
            }
        }
        List<String> found = new ArrayList<>();
        for (ClassModel c : classes) {
            String clinit = key(c.thisClass().asInternalName(), "<clinit>", "()V");
            if (methods.containsKey(clinit)) {
                found.addAll(stateCallsFrom(clinit, methods));
            }
        }
        assertEquals(List.of(), found.stream().distinct().toList(), "static initialisers that capture build-machine state");
    }

    @Test
    void initialisedStaticValuesHoldNoRandomnessThreadsOrTime() throws Exception {
        List<String> found = new ArrayList<>();
        int walked = 0;
        for (ClassModel c : projectClasses()) {
            Class<?> type = Class.forName(name(c), true, getClass().getClassLoader());
            for (Field f : type.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                    continue;
                }
                f.setAccessible(true);
                walked++;
                walk(f.get(null), type.getName() + "." + f.getName(), found,
                        Collections.newSetFromMap(new IdentityHashMap<>()), 0);
            }
        }
        assertTrue(walked > 10, "only " + walked + " static fields were walked");
        assertEquals(List.of(), found, "static values that native-image would freeze into the image heap");
    }

    /** The check itself: a class like the one that broke the native build is caught by all three views. */
    @Test
    void theGuardsCatchTheDefectThatBrokeTheNativeBuild() throws Exception {
        ClassModel bad = ClassFile.of().parse(Files.readAllBytes(Path.of(
                BuildTimeStateTest.class.getResource("BuildTimeStateTest$StaticRandom.class").toURI())));
        Map<String, MethodModel> methods = new HashMap<>();
        bad.methods().forEach(m -> methods.put(key(bad.thisClass().asInternalName(), m.methodName().stringValue(),
                m.methodType().stringValue()), m));
        List<String> calls = stateCallsFrom(key(bad.thisClass().asInternalName(), "<clinit>", "()V"), methods);
        assertTrue(calls.stream().anyMatch(s -> s.contains("java/security/SecureRandom.<init>")), calls.toString());
        assertTrue(calls.stream().anyMatch(s -> s.contains("java/lang/System.getenv")), calls.toString());
        List<String> values = new ArrayList<>();
        walk(StaticRandom.HOLDER, "HOLDER", values, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
        assertEquals(List.of("HOLDER[0].random : java.security.SecureRandom"), values);
    }

    static final class StaticRandom {
        static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
        static final String REGION = region();
        static final Object[] HOLDER = {new Box()};

        private static String region() {
            return System.getenv("AWS_REGION");
        }

        static final class Box {
            final java.util.Random random = RANDOM;
        }
    }

    private static List<String> stateCallsFrom(String root, Map<String, MethodModel> methods) {
        List<String> found = new ArrayList<>();
        Deque<String> todo = new ArrayDeque<>(List.of(root));
        Set<String> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            String at = todo.pop();
            MethodModel m = methods.get(at);
            if (m == null || !seen.add(at) || m.code().isEmpty()) {
                continue;
            }
            for (CodeElement e : m.code().get()) {
                String owner;
                String name;
                String desc;
                if (e instanceof InvokeInstruction i) {
                    owner = i.owner().asInternalName();
                    name = i.name().stringValue();
                    desc = i.type().stringValue();
                } else if (e instanceof NewObjectInstruction n) {
                    owner = n.className().asInternalName();
                    name = "<init>";
                    desc = null;
                } else if (e instanceof InvokeDynamicInstruction d) {
                    // A lambda made in a static initialiser may run there: follow its body conservatively.
                    for (var arg : d.bootstrapArgs()) {
                        if (arg instanceof java.lang.constant.DirectMethodHandleDesc h
                                && h.owner().descriptorString().startsWith("L" + OWN)) {
                            todo.push(key(h.owner().descriptorString().substring(1,
                                    h.owner().descriptorString().length() - 1), h.methodName(), h.lookupDescriptor()));
                        }
                    }
                    continue;
                } else {
                    continue;
                }
                Set<String> bad = STATE_CALLS.get(owner);
                if (bad != null && (bad.contains("*") || bad.contains(name))) {
                    found.add(root.substring(0, root.indexOf('#')) + " static init reaches " + owner + "." + name
                            + (at.equals(root) ? "" : " (via " + at + ")"));
                }
                if (owner.startsWith(OWN) && desc != null) {
                    todo.push(key(owner, name, desc));
                }
            }
        }
        return found;
    }

    /** Reports state objects reachable from {@code value}; descends into arrays, collections and non-JDK objects. */
    private static void walk(Object value, String path, List<String> found, Set<Object> seen, int depth) {
        if (value == null || depth > 8 || !seen.add(value)) {
            return;
        }
        Class<?> c = value.getClass();
        for (Class<?> bad : STATE_TYPES) {
            if (bad.isInstance(value)) {
                found.add(path + " : " + c.getName());
                return;
            }
        }
        if (c.isArray()) {
            if (!c.getComponentType().isPrimitive()) {
                for (int i = 0; i < Array.getLength(value); i++) {
                    walk(Array.get(value, i), path + "[" + i + "]", found, seen, depth + 1);
                }
            }
            return;
        }
        if (value instanceof Collection<?> col) {
            int i = 0;
            for (Object o : col) {
                walk(o, path + "[" + i++ + "]", found, seen, depth + 1);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (var e : map.entrySet()) {
                walk(e.getKey(), path + "{key}", found, seen, depth + 1);
                walk(e.getValue(), path + "{" + e.getKey() + "}", found, seen, depth + 1);
            }
            return;
        }
        if (c.getName().startsWith("java.") || c.getName().startsWith("jdk.") || c.getName().startsWith("sun.")
                || c.isEnum() && !c.getName().startsWith("dev.imagefn.")) {
            return;
        }
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    walk(f.get(value), path + "." + f.getName(), found, seen, depth + 1);
                } catch (RuntimeException | IllegalAccessException inaccessible) {
                    // a module-private field of a library type: not ours to judge
                }
            }
        }
    }

    private static List<ClassModel> projectClasses() throws IOException {
        List<ClassModel> out = new ArrayList<>();
        assertTrue(Files.isDirectory(CLASSES.resolve(OWN)), CLASSES + " has no project classes: compile first");
        try (Stream<Path> files = Files.walk(CLASSES.resolve(OWN))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                out.add(ClassFile.of().parse(Files.readAllBytes(p)));
            }
        }
        assertTrue(out.size() > 30, "found only " + out.size() + " classes under " + CLASSES);
        return out;
    }

    private static String name(ClassModel c) {
        return c.thisClass().asInternalName().replace('/', '.');
    }

    private static String key(String owner, String name, String desc) {
        return owner + "#" + name + desc;
    }

    private static Class<?> load(String descriptor) {
        String name = descriptor.substring(1, descriptor.length() - 1).replace('/', '.');
        try {
            return Class.forName(name, false, BuildTimeStateTest.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }
}
