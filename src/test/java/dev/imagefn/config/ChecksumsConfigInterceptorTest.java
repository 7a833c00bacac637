package dev.imagefn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** when-required turns the S3 client's response checksum validation off, over the extension's default of true. */
class ChecksumsConfigInterceptorTest {

    private static String validation(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withInterceptors(new ChecksumsConfigInterceptor())
                .addDefaultInterceptors()
                // quarkus-amazon-s3's @WithDefault("true"), in a low-ordinal defaults source as Quarkus keeps it.
                .withSources(new PropertiesConfigSource(Map.of(ChecksumsConfigInterceptor.TARGET, "true"),
                        "defaults", Integer.MIN_VALUE + 100))
                .withSources(new PropertiesConfigSource(properties, "test", 400)).build();
        return config.getValue(ChecksumsConfigInterceptor.TARGET, String.class);
    }

    @Test
    void whenRequiredTurnsValidationOffOverTheExtensionsDefault() {
        assertEquals("false", validation(Map.of("imagefn.storage.checksums", "when-required")));
        assertEquals("true", validation(Map.of("imagefn.storage.checksums", "when-supported")));
        assertEquals("true", validation(Map.of()));
    }

    @Test
    void anExplicitSettingWins() {
        assertEquals("true", validation(Map.of("imagefn.storage.checksums", "when-required",
                ChecksumsConfigInterceptor.TARGET, "true")));
    }
}
