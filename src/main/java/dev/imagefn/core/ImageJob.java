package dev.imagefn.core;

import java.util.List;
import java.util.Map;

/**
 * A request that passed validation: the model resolved, options normalised, the key plan fixed.
 * Nothing about it can make the paid call fail for a reason we could have caught before.
 */
public record ImageJob(
        String requestId,
        ModelSpec model,
        String prompt,
        String promptSha256,
        String aspectRatio,
        String imageSize,
        List<ReferenceImage> references,
        boolean includeText,
        String thinkingLevel,
        boolean grounding,
        Integer seed,
        String explicitKey,
        String idempotencyKey,
        Map<String, String> metadata,
        boolean presign) {

    public ImageJob {
        references = List.copyOf(references);
        metadata = Map.copyOf(metadata);
    }

    public boolean idempotent() {
        return idempotencyKey != null;
    }

    public String tier() {
        return model.tier(imageSize);
    }
}
