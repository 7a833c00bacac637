package dev.imagefn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Traces stay off until an OTLP endpoint is configured; an explicit quarkus.otel.sdk.disabled wins. */
class TracingConfigInterceptorTest {

    private static String disabled(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withInterceptors(new TracingConfigInterceptor())
                .withDefaultValue("quarkus.otel.exporter.otlp.endpoint", "http://localhost:4317/")
                // Quarkus' runtime defaults: a source with a low ordinal, not the lowest.
                .withSources(new PropertiesConfigSource(Map.of("quarkus.otel.sdk.disabled", "false",
                        "quarkus.otel.exporter.otlp.traces.endpoint", "http://localhost:4317/"), "defaults",
                        Integer.MIN_VALUE + 100))
                .withSources(new PropertiesConfigSource(properties, "test", 250)).build();
        return config.getRawValue(TracingConfigInterceptor.TARGET);
    }

    @Test
    void offWithoutAnEndpointEvenWithTheDefaultOne() {
        assertEquals("true", disabled(Map.of()));
    }

    @Test
    void onWithAnEndpoint() {
        assertEquals("false", disabled(Map.of("quarkus.otel.exporter.otlp.endpoint", "http://collector:4317")));
        assertEquals("false", disabled(Map.of("quarkus.otel.exporter.otlp.traces.endpoint", "http://c:4318/v1/traces")));
    }

    @Test
    void listedAmongTheNamesSoQuarkusPassesItToTheSdk() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withInterceptors(new TracingConfigInterceptor()).build();
        assertEquals(true, java.util.stream.StreamSupport.stream(config.getPropertyNames().spliterator(), false)
                .anyMatch(TracingConfigInterceptor.TARGET::equals));
    }

    @Test
    void anExplicitSettingWins() {
        assertEquals("true", disabled(Map.of("quarkus.otel.exporter.otlp.endpoint", "http://collector:4317",
                "quarkus.otel.sdk.disabled", "true")));
        assertEquals("false", disabled(Map.of("quarkus.otel.sdk.disabled", "false")));
    }
}
