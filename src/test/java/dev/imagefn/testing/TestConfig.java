package dev.imagefn.testing;

import dev.imagefn.config.ImagefnConfig;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@link ImagefnConfig} for plain unit tests: the mapping's own {@code @WithDefault} values, overridden by
 * {@code "storage.prefix" -> "out/"}-style entries (names relative to {@code imagefn.}). Maps are empty.
 */
public final class TestConfig {
    private TestConfig() {
    }

    public static ImagefnConfig of(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>(Map.of("gemini.api-key", "test-key", "storage.bucket", "images"));
        values.putAll(overrides);
        return proxy(ImagefnConfig.class, "", values);
    }

    public static ImagefnConfig defaults() {
        return of(Map.of());
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, String path, Map<String, String> values) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, m, args) -> {
            if (m.getDeclaringClass() == Object.class) {
                return switch (m.getName()) {
                    case "toString" -> "TestConfig(" + path + ")";
                    case "hashCode" -> System.identityHashCode(self);
                    default -> self == args[0];
                };
            }
            return value(m, path + name(m), values);
        });
    }

    private static String name(Method m) {
        WithName n = m.getAnnotation(WithName.class);
        return n != null ? n.value() : m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    private static Object value(Method m, String name, Map<String, String> values) {
        Class<?> type = m.getReturnType();
        if (type.isInterface() && type.getName().startsWith(ImagefnConfig.class.getName())) {
            return proxy(type, name + ".", values);
        }
        if (type == Map.class) {
            return Map.of();
        }
        String raw = values.get(name);
        if (raw == null && m.isAnnotationPresent(WithDefault.class)) {
            raw = m.getAnnotation(WithDefault.class).value();
        }
        if (type == Optional.class) {
            Type arg = ((ParameterizedType) m.getGenericReturnType()).getActualTypeArguments()[0];
            return raw == null ? Optional.empty() : Optional.of(convert(arg, raw));
        }
        if (raw == null) {
            if (name.equals("limits.max-body-bytes")) {
                ImagefnConfig.Limits limits = proxy(ImagefnConfig.Limits.class, "limits.", values);
                return ImagefnConfig.Limits.defaultMaxBodyBytes(limits.maxPromptChars(), limits.maxInlineReferenceBytes());
            }
            throw new IllegalStateException("TestConfig: no value for imagefn." + name);
        }
        return convert(m.getGenericReturnType(), raw);
    }

    private static Object convert(Type type, String raw) {
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            return Arrays.stream(raw.split(",")).map(String::strip).toList();
        }
        if (type == String.class) {
            return raw;
        }
        if (type == int.class || type == Integer.class) {
            return Integer.parseInt(raw);
        }
        if (type == long.class || type == Long.class) {
            return Long.parseLong(raw);
        }
        if (type == double.class) {
            return Double.parseDouble(raw);
        }
        if (type == boolean.class) {
            return Boolean.parseBoolean(raw);
        }
        if (type == Duration.class) {
            return raw.matches("\\d+ms") ? Duration.ofMillis(Long.parseLong(raw.substring(0, raw.length() - 2)))
                    : Duration.parse("PT" + raw.toUpperCase());
        }
        if (type == URI.class) {
            return URI.create(raw);
        }
        if (type == BigDecimal.class) {
            return new BigDecimal(raw);
        }
        throw new IllegalStateException("TestConfig: cannot convert to " + type);
    }
}
