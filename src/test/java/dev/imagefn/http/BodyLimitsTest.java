package dev.imagefn.http;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The body limit is what a valid event can hold, and inline references have a total limit. */
@QuarkusTest
class BodyLimitsTest extends HttpTestBase {
    @Inject
    ImagefnConfig config;

    @Test
    void theDefaultBodyLimitIsWhatTheLargestValidEventNeeds() {
        long inline = 20L * 1024 * 1024;
        assertEquals(6L * 32_000 + (inline + 2) / 3 * 4 + 64 * 1024, config.limits().maxBodyBytes());
        assertEquals(28_219_564L, config.limits().maxBodyBytes());
    }

    @Test
    void inlineReferencesOverTheirTotalAreTooLarge() {
        StringBuilder refs = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            byte[] png = TestImages.png(8, 8, 0x102030 * (i + 1), 7_000_000);
            refs.append(i == 0 ? "" : ",").append("{\"mimeType\":\"image/png\",\"data\":\"")
                    .append(Base64.getEncoder().encodeToString(png)).append("\"}");
        }
        assertNoObjectLeft(() -> post("{\"prompt\":\"three big ones\",\"referenceImages\":[" + refs + "]}")
                .statusCode(413).body("code", equalTo("PAYLOAD_TOO_LARGE")));
        assertEquals(0, gemini().calls());
    }
}
