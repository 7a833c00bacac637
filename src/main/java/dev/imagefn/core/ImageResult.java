package dev.imagefn.core;

import java.math.BigDecimal;
import java.util.List;

/** The result (README, The result). {@code url} and {@code text} are {@code null} unless asked for. */
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
        String requestId) {

    public ImageResult {
        images = List.copyOf(images);
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
