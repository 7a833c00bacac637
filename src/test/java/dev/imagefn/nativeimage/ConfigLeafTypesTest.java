package dev.imagefn.nativeimage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.config.ImagefnConfig;
import io.smallrye.config.WithConverter;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.eclipse.microprofile.config.spi.Converter;
import org.junit.jupiter.api.Test;

/**
 * Every leaf of {@link ImagefnConfig} must convert without reflection in a native image: SmallRye's built-in
 * converters, the converters registered as services (Quarkus's Duration, MemorySize, …), primitives, or a
 * {@code @WithConverter}. Any other type makes SmallRye fall back to an implicit converter ({@code valueOf},
 * a {@code String} constructor) found by reflection, which Quarkus registers for a direct leaf but not for a
 * map nested in a map: that is how {@code Map<String, Map<String, BigDecimal>>} stopped the native executable
 * at start-up.
 *
 * <p>Cannot catch: a converter that exists but fails on the value (the JVM tests bind the real values), nor
 * settings read outside this mapping ({@code quarkus.*}, which Quarkus checks itself).
 */
class ConfigLeafTypesTest {

    @Test
    void everyLeafHasAConverterThatNeedsNoReflection() throws Exception {
        Set<Class<?>> safe = nativeSafeTypes();
        assertTrue(safe.contains(String.class) && safe.contains(java.time.Duration.class)
                && safe.contains(java.net.URI.class), "converter discovery found " + safe);
        List<String> leaves = new ArrayList<>();
        List<String> unsafe = new ArrayList<>();
        walk(ImagefnConfig.class, "imagefn", safe, leaves, unsafe);
        assertTrue(leaves.size() > 40, "the walk reached only " + leaves);
        assertTrue(leaves.stream().anyMatch(l -> l.startsWith("imagefn.pricing.*.*")), "prices were not reached: "
                + leaves);
        assertEquals(List.of(), unsafe, "config leaves that need a reflective (implicit) converter natively");
    }

    @Test
    void theWalkRejectsTheTypeThatBrokeTheNativeStart() throws Exception {
        List<String> unsafe = new ArrayList<>();
        walk(WithBigDecimalPrices.class, "x", nativeSafeTypes(), new ArrayList<>(), unsafe);
        assertEquals(List.of("x.pricing.*.*: java.math.BigDecimal"), unsafe);
    }

    interface WithBigDecimalPrices {
        Map<String, Map<String, java.math.BigDecimal>> pricing();
    }

    static void walk(Type type, String path, Set<Class<?>> safe, List<String> leaves, List<String> unsafe) {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (raw == Optional.class || Collection.class.isAssignableFrom(raw)) {
                walk(args[0], path, safe, leaves, unsafe);
            } else if (Map.class.isAssignableFrom(raw)) {
                if (args[0] != String.class) {
                    unsafe.add(path + ": map key " + args[0].getTypeName());
                }
                walk(args[1], path + ".*", safe, leaves, unsafe);
            } else {
                unsafe.add(path + ": " + p.getTypeName());
            }
            return;
        }
        Class<?> c = (Class<?>) type;
        if (c.isInterface() && c.getName().startsWith("dev.imagefn.")) {
            for (Method m : c.getMethods()) {
                if (Modifier.isStatic(m.getModifiers()) || m.isDefault() || m.getParameterCount() > 0) {
                    continue;
                }
                String child = path + "." + m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
                if (m.isAnnotationPresent(WithConverter.class)) {
                    leaves.add(child);
                    continue;
                }
                walk(m.getGenericReturnType(), child, safe, leaves, unsafe);
            }
            return;
        }
        leaves.add(path);
        if (!c.isPrimitive() && !safe.contains(c)) {
            unsafe.add(path + ": " + c.getName());
        }
    }

    /** SmallRye's built-in converters and every converter service on the class path (both need no reflection). */
    static Set<Class<?>> nativeSafeTypes() throws Exception {
        Set<Class<?>> out = new HashSet<>();
        Field all = Class.forName("io.smallrye.config.Converters").getDeclaredField("ALL_CONVERTERS");
        all.setAccessible(true);
        out.addAll(((Map<Class<?>, ?>) all.get(null)).keySet());
        for (Converter<?> converter : ServiceLoader.load(Converter.class)) {
            Class<?> type = convertedType(converter.getClass());
            if (type != null) {
                out.add(type);
            }
        }
        return out;
    }

    private static Class<?> convertedType(Class<?> c) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Type t : k.getGenericInterfaces()) {
                if (t instanceof ParameterizedType p && p.getRawType() == Converter.class
                        && p.getActualTypeArguments()[0] instanceof Class<?> arg) {
                    return arg;
                }
            }
        }
        return null;
    }
}
