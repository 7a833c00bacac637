package dev.imagefn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** aws-chunked uploads are off for a plain-HTTP S3 endpoint only; an explicit quarkus.s3.chunked-encoding wins. */
class ChunkedEncodingConfigInterceptorTest {

    private static String chunked(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withInterceptors(new ChunkedEncodingConfigInterceptor())
                .addDefaultInterceptors()
                // Quarkus' runtime defaults: a source with a low ordinal, not the lowest.
                .withSources(new PropertiesConfigSource(Map.of(ChunkedEncodingConfigInterceptor.TARGET, "true"),
                        "defaults", Integer.MIN_VALUE + 100))
                .withSources(new PropertiesConfigSource(Map.of(ChunkedEncodingConfigInterceptor.ENDPOINT,
                        "${imagefn.storage.endpoint:}"), "application.properties", 250))
                .withSources(new PropertiesConfigSource(properties, "test", 400)).build();
        return config.getValue(ChunkedEncodingConfigInterceptor.TARGET, String.class);
    }

    @Test
    void offForAPlainHttpEndpoint() {
        assertEquals("false", chunked(Map.of("imagefn.storage.endpoint", "http://minio:9000")));
        assertEquals("false", chunked(Map.of("quarkus.s3.endpoint-override", "HTTP://127.0.0.1:9000")));
    }

    @Test
    void theDefaultForHttpsAndForAws() {
        assertEquals("true", chunked(Map.of("imagefn.storage.endpoint", "https://minio:9000")));
        assertEquals("true", chunked(Map.of()));
    }

    @Test
    void anExplicitSettingWins() {
        assertEquals("true", chunked(Map.of("imagefn.storage.endpoint", "http://minio:9000",
                "quarkus.s3.chunked-encoding", "true")));
        assertEquals("false", chunked(Map.of("imagefn.storage.endpoint", "https://s3.example",
                "quarkus.s3.chunked-encoding", "false")));
    }
}
