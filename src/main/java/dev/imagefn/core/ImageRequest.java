package dev.imagefn.core;

import java.util.List;
import java.util.Map;

/**
 * The event (README, The event) as the caller sent it, before validation. Absent fields are {@code null}
 * (or empty collections); {@link RequestValidator} turns it into an {@link ImageJob}. {@code provenance} is
 * metadata the function itself attaches (an upload's {@link StoredMetadata#SOURCE_KEY}, ...), never the caller.
 */
public record ImageRequest(
        String prompt,
        String model,
        String aspectRatio,
        String imageSize,
        List<ReferenceImage> referenceImages,
        boolean includeText,
        String thinking,
        boolean grounding,
        Integer seed,
        String key,
        String idempotencyKey,
        Map<String, String> metadata,
        boolean presign,
        Map<String, String> provenance) {

    public ImageRequest {
        referenceImages = referenceImages == null ? List.of() : List.copyOf(referenceImages);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        provenance = provenance == null ? Map.of() : Map.copyOf(provenance);
    }

    /** A request as a caller sends it: no provenance. */
    public ImageRequest(String prompt, String model, String aspectRatio, String imageSize,
            List<ReferenceImage> referenceImages, boolean includeText, String thinking, boolean grounding, Integer seed,
            String key, String idempotencyKey, Map<String, String> metadata, boolean presign) {
        this(prompt, model, aspectRatio, imageSize, referenceImages, includeText, thinking, grounding, seed, key,
                idempotencyKey, metadata, presign, Map.of());
    }
}
