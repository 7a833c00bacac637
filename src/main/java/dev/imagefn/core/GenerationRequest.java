package dev.imagefn.core;

import java.util.List;

/** A validated job as the image generator needs it: references already loaded as bytes or presigned URLs. */
public record GenerationRequest(
        String model,
        String prompt,
        String aspectRatio,
        String imageSize,
        List<ReferencePart> references,
        boolean includeText,
        String thinkingLevel,
        boolean grounding,
        Integer seed) {

    public GenerationRequest {
        references = List.copyOf(references);
    }
}
