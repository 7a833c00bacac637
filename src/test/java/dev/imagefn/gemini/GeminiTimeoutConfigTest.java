package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.ModelCatalogue;
import dev.imagefn.testing.TestConfig;
import io.opentelemetry.api.OpenTelemetry;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** imagefn.gemini.timeout of 0 would take every limit off a stalled answer: it is refused when the client is made. */
class GeminiTimeoutConfigTest {
    @ParameterizedTest
    @ValueSource(strings = {"0s", "0ms"})
    void aTimeoutOfZeroIsRefused(String timeout) {
        ImagefnConfig config = TestConfig.of(Map.of("gemini.timeout", timeout, "gemini.base-url", "http://127.0.0.1:9"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new GeminiImageGenerator(config,
                new ModelCatalogue(config), OpenTelemetry.noop().getTracer("test")));
        assertTrue(e.getMessage().contains("imagefn.gemini.timeout"), e.getMessage());
    }
}
