package dev.imagefn.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.idempotency.Idempotency;
import dev.imagefn.testing.InMemoryImageStore;
import dev.imagefn.testing.ScriptedGenerator;
import dev.imagefn.testing.TestConfig;
import dev.imagefn.testing.TestImages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Stored references that go inline are held in memory and base64-encoded into the request: all of them together
 * are bounded like the event's own inline images (max-inline-reference-bytes), before anything is paid.
 */
/** Stored references read to go inline count against max-inline-reference-bytes, with the event's own; refused before Gemini is paid. */
class StoredReferencesInlineTotalTest {
    @Test
    void storedReferencesSentInlineAreBoundedInAll() {
        InMemoryImageStore store = new InMemoryImageStore("images");
        ScriptedGenerator gemini = new ScriptedGenerator();
        byte[] ref = TestImages.png(64, 64, 0x336699, 3000);
        for (int i = 0; i < 14; i++) {
            store.putObject("refs", "r" + i + ".png", ref, "image/png", Map.of());
        }
        ImagefnConfig config = TestConfig.of(Map.of("storage.reference-buckets", "refs",
                "gemini.reference-url-threshold", "-1",
                "limits.max-reference-bytes", Integer.toString(ref.length),
                "limits.max-inline-reference-bytes", Integer.toString(2 * ref.length)));
        ModelCatalogue catalogue = new ModelCatalogue(config) {
            @Override
            public ModelSpec resolve(String requested) {
                return new ModelSpec("m", List.of("1:1"), List.of(), 14, List.of(), false, Map.of(), true);
            }
        };
        ImagePipeline pipeline = new ImagePipeline(new RequestValidator(catalogue, config), gemini, store,
                new ObjectKeys(config), config, new PipelineMetrics(new SimpleMeterRegistry()), catalogue,
                new Idempotency(store, "generated/.idempotency/", Duration.ZERO, Duration.ofSeconds(1)));
        List<ReferenceImage> refs = new java.util.ArrayList<>();
        for (int i = 0; i < 14; i++) {
            refs.add(ReferenceImage.Stored.parse("s3://refs/r" + i + ".png"));
        }
        ImageRequest request = new ImageRequest("combine", null, null, null, refs, false, null, false, null, null, null,
                Map.of(), false);
        ImageFnException e = assertThrows(ImageFnException.class,
                () -> pipeline.run(request, null, "req", Deadline.after(Duration.ofMinutes(1))),
                () -> "sent to Gemini: " + gemini.lastRequest().references().size() + " inline references of "
                        + ref.length + " bytes, " + 14L * ref.length + " in all, over the limit of " + 2 * ref.length);
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
        assertEquals(0, gemini.calls());
    }
}
