package dev.imagefn.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Traces are off unless an OTLP endpoint is configured: {@code quarkus.otel.sdk.disabled}, when not set, is
 * {@code false} only if {@code quarkus.otel.exporter.otlp.endpoint} or {@code ...otlp.traces.endpoint} is. So no
 * exporter thread tries to reach a collector that is not there (tests, make demo). An explicit value wins.
 */
@Priority(Priorities.APPLICATION)
public class TracingConfigInterceptor implements ConfigSourceInterceptor {
    static final String TARGET = "quarkus.otel.sdk.disabled";
    static final String[] ENDPOINTS = {"quarkus.otel.exporter.otlp.traces.endpoint",
            "quarkus.otel.exporter.otlp.endpoint"};

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!TARGET.equals(name) || UserSettings.isSet(value)) {
            return value;
        }
        boolean endpoint = false;
        for (String e : ENDPOINTS) {
            endpoint |= UserSettings.isSet(context.proceed(e));
        }
        return ConfigValue.builder().withName(TARGET).withValue(Boolean.toString(!endpoint))
                .withConfigSourceName(endpoint ? "an OTLP endpoint is set" : "no OTLP endpoint is set")
                .build();
    }

    /** Listed too: Quarkus hands the OpenTelemetry SDK the {@code quarkus.otel.*} names it finds. */
    @Override
    public Iterator<String> iterateNames(ConfigSourceInterceptorContext context) {
        Set<String> names = new LinkedHashSet<>();
        context.iterateNames().forEachRemaining(names::add);
        names.add(TARGET);
        return names.iterator();
    }
}
