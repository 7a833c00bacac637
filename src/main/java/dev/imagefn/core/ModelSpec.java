package dev.imagefn.core;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one model accepts and what it costs. {@code sizes} empty: a single tier, no {@code imageSize}.
 * {@code prices} is keyed by size ({@code "default"} for single-tier models).
 */
public record ModelSpec(
        String id,
        List<String> aspectRatios,
        List<String> sizes,
        int maxReferenceImages,
        List<String> thinkingLevels,
        boolean grounding,
        Map<String, BigDecimal> prices,
        boolean listed) {

    public static final String DEFAULT_SIZE = "1K";
    public static final String SINGLE_TIER = "default";

    public ModelSpec {
        aspectRatios = List.copyOf(aspectRatios);
        sizes = List.copyOf(sizes);
        thinkingLevels = List.copyOf(thinkingLevels);
        prices = Map.copyOf(prices);
    }

    /** The tier a request is billed at: its size, the model's default size, or the single tier. */
    public String tier(String requestedSize) {
        if (sizes.isEmpty()) {
            return SINGLE_TIER;
        }
        if (requestedSize != null) {
            return requestedSize;
        }
        return sizes.contains(DEFAULT_SIZE) ? DEFAULT_SIZE : sizes.get(0);
    }

    public Optional<BigDecimal> pricePerImage(String tier) {
        return Optional.ofNullable(prices.get(tier));
    }
}
