package dev.imagefn.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;

/**
 * {@code imagefn.limits.max-body-bytes}, when not set, is derived from the prompt and inline-reference limits
 * ({@link ImagefnConfig.Limits#defaultMaxBodyBytes}), so it follows them; an explicit value wins.
 */
@Priority(Priorities.APPLICATION)
public class BodyLimitConfigInterceptor implements ConfigSourceInterceptor {
    static final String TARGET = "imagefn.limits.max-body-bytes";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!TARGET.equals(name) || value != null) {
            return value;
        }
        try {
            int prompt = (int) number(context, "imagefn.limits.max-prompt-chars",
                    ImagefnConfig.Limits.DEFAULT_MAX_PROMPT_CHARS);
            long inline = number(context, "imagefn.limits.max-inline-reference-bytes",
                    ImagefnConfig.Limits.DEFAULT_MAX_INLINE_REFERENCE_BYTES);
            return ConfigValue.builder().withName(TARGET)
                    .withValue(Long.toString(ImagefnConfig.Limits.defaultMaxBodyBytes(prompt, inline)))
                    .withConfigSourceName("derived from imagefn.limits.max-prompt-chars and max-inline-reference-bytes")
                    .build();
        } catch (NumberFormatException e) {
            return null; // the mapping reports the bad value of the setting it came from
        }
    }

    private static long number(ConfigSourceInterceptorContext context, String name, long fallback) {
        ConfigValue v = context.proceed(name);
        return v == null || v.getValue() == null || v.getValue().isBlank() ? fallback : Long.parseLong(v.getValue().strip());
    }
}
