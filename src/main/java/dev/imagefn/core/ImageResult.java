package dev.imagefn.core;

import java.math.BigDecimal;
import java.util.List;

/**
 * The result (README, The result). {@code url} and {@code text} are {@code null} unless asked for.
 * {@code requestedModel} is set only when {@code fallback}: the model asked for, when {@code model} is its successor.
 * {@code rerouted}: Gemini's {@code modelVersion} names another model than {@code model} (README, Model lifecycle).
 */
public record ImageResult(
        String bucket,
        String key,
        String url,
        String mimeType,
        long bytes,
        String sha256,
        int width,
        int height,
        List<StoredImage> images,
        String text,
        String model,
        String modelVersion,
        Usage usage,
        Cost cost,
        boolean reused,
        String requestId,
        String requestedModel,
        boolean rerouted,
        boolean fallback) {

    public ImageResult {
        images = List.copyOf(images);
    }

    /** A result served by the model asked for. */
    public ImageResult(String bucket, String key, String url, String mimeType, long bytes, String sha256, int width,
            int height, List<StoredImage> images, String text, String model, String modelVersion, Usage usage,
            Cost cost, boolean reused, String requestId) {
        this(bucket, key, url, mimeType, bytes, sha256, width, height, images, text, model, modelVersion, usage, cost,
                reused, requestId, null, ModelVersions.rerouted(model, modelVersion), false);
    }

    public String uri() {
        return "s3://" + bucket + "/" + key;
    }

    public record StoredImage(String key, String mimeType, long bytes, String sha256, int width, int height) {
    }

    /** {@code usd} is {@code null} when no price is configured for the model and size. */
    public record Cost(BigDecimal usd, String basis) {
    }
}
