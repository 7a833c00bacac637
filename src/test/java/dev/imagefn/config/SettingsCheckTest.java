package dev.imagefn.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.TestConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings that would fail every request refuse the start (a StartupEvent observer), not the first request. */
class SettingsCheckTest {

    private static void refused(Map<String, String> settings, String name) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new SettingsCheck(TestConfig.of(settings)).check());
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    @Test
    void noImagesPerAnswerOrNoTimeoutIsRefused() {
        refused(Map.of("limits.max-images-per-answer", "0"), "imagefn.limits.max-images-per-answer");
        refused(Map.of("limits.max-images-per-answer", "-1"), "imagefn.limits.max-images-per-answer");
        refused(Map.of("gemini.timeout", "0s"), "imagefn.gemini.timeout");
        refused(Map.of("limits.max-metadata-bytes", "2048"), "imagefn.limits.max-metadata-bytes");
    }

    @Test
    void theDefaultsStart() {
        new SettingsCheck(TestConfig.defaults()).check();
    }
}
