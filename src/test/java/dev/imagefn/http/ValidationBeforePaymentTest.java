package dev.imagefn.http;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.imagefn.core.ModelCatalogue;
import dev.imagefn.core.ModelSpec;
import dev.imagefn.testing.HttpTestBase;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** For every catalogue model, every option it does not support is a 400 with no call to Gemini. */
@QuarkusTest
class ValidationBeforePaymentTest extends HttpTestBase {
    private static final List<String> ALL_RATIOS = List.of("1:1", "1:4", "1:8", "2:3", "3:2", "3:4", "4:1", "4:3",
            "4:5", "5:4", "8:1", "9:16", "16:9", "21:9", "7:3", "square");
    private static final List<String> ALL_SIZES = List.of("512", "1K", "2K", "4K", "8K", "1024", "huge");
    private static final List<String> ALL_THINKING = List.of("minimal", "low", "medium", "high", "max");

    @Inject
    ModelCatalogue catalogue;

    private static final String REF = "{\"mimeType\":\"image/png\",\"data\":\"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\"}";

    @Test
    void everyUnsupportedOptionOfEveryModelIsRejectedBeforeAnyCall() {
        List<String> checked = new ArrayList<>();
        assertFalse(catalogue.models().isEmpty());
        for (ModelSpec model : catalogue.models()) {
            String m = model.id();
            for (String ratio : ALL_RATIOS) {
                if (!model.aspectRatios().contains(ratio)) {
                    reject("{\"prompt\":\"x\",\"model\":\"" + m + "\",\"aspectRatio\":\"" + ratio + "\"}", "aspectRatio");
                    checked.add(m + " ratio " + ratio);
                }
            }
            for (String size : ALL_SIZES) {
                if (!model.sizes().contains(size)) {
                    reject("{\"prompt\":\"x\",\"model\":\"" + m + "\",\"imageSize\":\"" + size + "\"}", "imageSize");
                    checked.add(m + " size " + size);
                }
            }
            for (String level : ALL_THINKING) {
                if (!model.thinkingLevels().contains(level)) {
                    reject("{\"prompt\":\"x\",\"model\":\"" + m + "\",\"thinking\":\"" + level + "\"}", "thinking");
                    checked.add(m + " thinking " + level);
                }
            }
            if (!model.grounding()) {
                reject("{\"prompt\":\"x\",\"model\":\"" + m + "\",\"grounding\":true}", "grounding");
                checked.add(m + " grounding");
            }
            String tooMany = String.join(",", java.util.Collections.nCopies(model.maxReferenceImages() + 1, REF));
            reject("{\"prompt\":\"x\",\"model\":\"" + m + "\",\"referenceImages\":[" + tooMany + "]}", "reference images");
            checked.add(m + " refs " + (model.maxReferenceImages() + 1));
        }
        assertEquals(0, gemini().calls(), "no paid call for any rejected request");
        Set<String> models = new LinkedHashSet<>();
        checked.forEach(c -> models.add(c.substring(0, c.indexOf(' '))));
        assertEquals(catalogue.models().size(), models.size(), "each model had options to reject: " + checked);
    }

    @Test
    void specificCatalogueFacts() {
        reject("{\"prompt\":\"x\",\"model\":\"gemini-3-pro-image\",\"imageSize\":\"512\"}", "imageSize");
        reject("{\"prompt\":\"x\",\"model\":\"nano-banana-pro\",\"aspectRatio\":\"8:1\"}", "aspectRatio");
        reject("{\"prompt\":\"x\",\"model\":\"gemini-2.5-flash-image\",\"imageSize\":\"1K\"}", "single size tier");
        reject("{\"prompt\":\"x\",\"thinking\":\"medium\"}", "thinking");
        reject("{\"prompt\":\"x\",\"model\":\"gemini-3-pro-image\",\"thinking\":\"high\"}", "thinking");
        reject("{\"prompt\":\"" + "p".repeat(32001) + "\"}", "32000");
        reject("{\"prompt\":\"x\",\"metadata\":{\"sha256\":\"forged\"}}", "reserved");
        reject("{\"prompt\":\"x\",\"metadata\":{\"bad key!\":\"v\"}}", "metadata");
        reject("{\"prompt\":\"x\",\"referenceImages\":[{\"mimeType\":\"image/png\",\"data\":\"bm90IGFuIGltYWdl\"}]}", "not a PNG");
        reject("{\"prompt\":\"x\",\"referenceImages\":[{\"uri\":\"https://example.com/a.png\"}]}", "s3://");
        reject("{\"prompt\":\"x\",\"model\":\"Not A Model!\"}", "model");
        assertEquals(0, gemini().calls());
    }

    private static void reject(String event, String detailPart) {
        post(event).statusCode(400).body("code", equalTo("INVALID_REQUEST")).body("detail", containsString(detailPart));
    }
}
