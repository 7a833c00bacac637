package dev.imagefn.gemini;

import dev.imagefn.core.GeneratedImage;
import dev.imagefn.core.Usage;
import java.util.List;

/** What one {@code generateContent} answer said, reduced to what imagefn needs. */
record GeminiResponse(
        List<GeneratedImage> images,
        String text,
        String finishReason,
        String finishMessage,
        String blockReason,
        String blockReasonMessage,
        Usage usage,
        String modelVersion,
        String responseId) {
}
