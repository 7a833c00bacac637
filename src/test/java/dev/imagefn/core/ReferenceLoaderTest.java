package dev.imagefn.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.idempotency.Idempotency;
import dev.imagefn.testing.InMemoryImageStore;
import dev.imagefn.testing.ScriptedGenerator;
import dev.imagefn.testing.TestConfig;
import dev.imagefn.testing.TestImages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stored references through the pipeline: which go by URL, what is still checked, and that nothing else changes. */
class ReferenceLoaderTest {
    private final InMemoryImageStore store = new InMemoryImageStore("images");
    private final ScriptedGenerator gemini = new ScriptedGenerator();
    private final byte[] big = TestImages.png(64, 64, 0x336699, 3000);
    private final byte[] small = TestImages.jpeg(8, 8, 0x993366, 0);

    ReferenceLoaderTest() {
        // Generic Content-Types, as SDK uploads have: the first bytes decide the type, not the label.
        store.putObject("refs", "big.png", big, "application/octet-stream", Map.of());
        store.putObject("refs", "small.jpg", small, "binary/octet-stream", Map.of());
        store.putObject("refs", "notes.png", "this is not an image, it is a text file".repeat(100)
                .getBytes(StandardCharsets.UTF_8), "image/png", Map.of());
    }

    private ImagePipeline pipeline(String threshold, Map<String, String> more) {
        Map<String, String> values = new HashMap<>(Map.of("storage.reference-buckets", "refs"));
        if (threshold != null) {
            values.put("gemini.reference-url-threshold", threshold);
        }
        values.putAll(more);
        ImagefnConfig config = TestConfig.of(values);
        // TestConfig has no catalogue: one model that takes references.
        ModelCatalogue catalogue = new ModelCatalogue(config) {
            @Override
            public ModelSpec resolve(String requested) {
                return new ModelSpec("m", List.of("1:1"), List.of(), 14, List.of(), false, Map.of(), true);
            }
        };
        return new ImagePipeline(new RequestValidator(catalogue, config), gemini, store, new ObjectKeys(config), config,
                new PipelineMetrics(new SimpleMeterRegistry()), catalogue,
                new Idempotency(store, "generated/.idempotency/", Duration.ZERO, Duration.ofSeconds(1)));
    }

    private static ImageRequest request(String idempotencyKey, String... uris) {
        List<ReferenceImage> refs = java.util.Arrays.stream(uris).map(u -> (ReferenceImage) ReferenceImage.Stored.parse(u))
                .toList();
        return new ImageRequest("combine", null, null, null, refs, false, null, false, null, null, idempotencyKey,
                Map.of(), false);
    }

    private ImageResult run(ImagePipeline p, ImageRequest r) {
        return p.run(r, null, "req", Deadline.after(Duration.ofMinutes(10)));
    }

    @Test
    void atOrAboveTheThresholdByUrlBelowItInlineInTheEventsOrder() {
        run(pipeline(Integer.toString(big.length), Map.of()), request(null, "s3://refs/small.jpg", "s3://refs/big.png"));
        List<ReferencePart> parts = gemini.lastRequest().references();
        assertEquals(2, parts.size());
        ReferenceImage.Inline inline = assertInstanceOf(ReferenceImage.Inline.class, parts.get(0));
        assertArrayEquals(small, inline.data());
        ReferencePart.ByUrl url = assertInstanceOf(ReferencePart.ByUrl.class, parts.get(1));
        assertEquals("image/png", url.mimeType(), "the first bytes decide, not the octet-stream label");
        assertEquals(big.length, url.bytes());
        String u = url.url().toString();
        assertTrue(u.startsWith("https://store.invalid/refs/big.png?response-content-type=image/png&"), u);
        long ttl = Long.parseLong(u.replaceAll(".*X-Amz-Expires=(\\d+).*", "$1"));
        assertTrue(ttl >= 10 * 60 + 55 && ttl <= 11 * 60, "the rest of the deadline and a minute: " + ttl);
        assertFalse(url.toString().contains("signature"), "a URL's signature never goes into a log line: " + url);
    }

    @Test
    void minusOneNeverAndZeroAlways() {
        run(pipeline("-1", Map.of()), request(null, "s3://refs/big.png"));
        assertArrayEquals(big, assertInstanceOf(ReferenceImage.Inline.class,
                gemini.lastRequest().references().get(0)).data());
        run(pipeline("0", Map.of()), request(null, "s3://refs/small.jpg"));
        ReferencePart.ByUrl url = assertInstanceOf(ReferencePart.ByUrl.class, gemini.lastRequest().references().get(0));
        assertEquals("image/jpeg", url.mimeType());
    }

    @Test
    void unsetOnALoopbackEndpointEverythingIsInline() {
        run(pipeline(null, Map.of("storage.endpoint", "http://127.0.0.1:9000")), request(null, "s3://refs/big.png"));
        assertInstanceOf(ReferenceImage.Inline.class, gemini.lastRequest().references().get(0));
    }

    @Test
    void byUrlTheSizeLimitStillHoldsFromTheHeadBeforeAnyPaidCall() {
        var e = assertThrows(ImageFnException.class, () -> run(pipeline("0",
                Map.of("limits.max-reference-bytes", Integer.toString(big.length - 1))), request(null, "s3://refs/big.png")));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("referenceImages[0] (s3://refs/big.png) has " + big.length + " bytes"),
                e.getMessage());
        assertEquals(0, gemini.calls());
    }

    @Test
    void byUrlAnObjectThatIsNotAnImageIsRefusedBeforeAnyPaidCall() {
        var e = assertThrows(ImageFnException.class, () -> run(pipeline("0", Map.of()),
                request(null, "s3://refs/notes.png")));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertTrue(e.getMessage().contains("is not a PNG, JPEG, WebP or HEIC/HEIF image"), e.getMessage());
        assertEquals(0, gemini.calls());
    }

    @Test
    void byUrlAMissingObjectIsNotFound() {
        var e = assertThrows(ImageFnException.class, () -> run(pipeline("0", Map.of()),
                request(null, "s3://refs/gone.png")));
        assertEquals(ErrorCode.REFERENCE_NOT_FOUND, e.code());
        assertEquals(0, gemini.calls());
    }

    @Test
    void theTransportDoesNotChangeTheRequestHash() {
        ImageResult inline = run(pipeline("-1", Map.of()), request("same-key", "s3://refs/big.png"));
        ImageResult byUrl = run(pipeline("0", Map.of()), request("same-key", "s3://refs/big.png"));
        assertEquals(1, gemini.calls(), "the same request by another transport is the same request: reused, not a "
                + "conflict, not paid twice");
        assertTrue(byUrl.reused());
        assertEquals(inline.key(), byUrl.key());
    }
}
