package dev.imagefn.core;

import java.util.List;

/**
 * A size in pixels ({@code 1792x1024}) as a model's options (README, OpenAI-compatible endpoint): the supported
 * aspect ratio nearest to W/H, and the smallest size tier whose long edge is at least max(W, H).
 */
public final class PixelSizes {
    /** Long edge of each tier; a single-tier model counts as 1K. */
    private static final List<String> TIERS = List.of("512", "1K", "2K", "4K");
    private static final int[] EDGES = {512, 1024, 2048, 4096};

    private PixelSizes() {
    }

    /** {@code imageSize} is {@code null} for a model with a single tier. */
    public record Choice(String aspectRatio, String imageSize) {
    }

    public static Choice choose(ModelSpec model, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw ImageFnException.invalid("the width and height must be positive");
        }
        return new Choice(nearestRatio(model.aspectRatios(), width, height), tier(model, Math.max(width, height)));
    }

    private static String nearestRatio(List<String> ratios, int width, int height) {
        double wanted = Math.log((double) width / height);
        String best = null;
        double bestDistance = Double.MAX_VALUE;
        for (String r : ratios) {
            double value;
            try {
                int colon = r.indexOf(':');
                value = Math.log(Double.parseDouble(r.substring(0, colon)) / Double.parseDouble(r.substring(colon + 1)));
            } catch (RuntimeException notARatio) {
                continue;
            }
            double distance = Math.abs(value - wanted);
            if (distance < bestDistance - 1e-9) {
                best = r;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static String tier(ModelSpec model, int longEdge) {
        if (model.sizes().isEmpty()) {
            if (longEdge > EDGES[1]) {
                throw tooLarge(model, longEdge, EDGES[1]);
            }
            return null;
        }
        int largest = 0;
        for (int i = 0; i < TIERS.size(); i++) {
            if (model.sizes().contains(TIERS.get(i))) {
                largest = EDGES[i];
                if (EDGES[i] >= longEdge) {
                    return TIERS.get(i);
                }
            }
        }
        throw tooLarge(model, longEdge, largest);
    }

    private static ImageFnException tooLarge(ModelSpec model, int longEdge, int largest) {
        return ImageFnException.invalid("a long edge of " + longEdge + " pixels is larger than model '" + model.id()
                + "' makes (" + largest + ")");
    }
}
