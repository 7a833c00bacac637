package dev.imagefn.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Settings that would make every request fail, or take a limit off, refuse to start the function. The beans that
 * use them are made on first use, which is too late: the function would start, look healthy, and fail each call.
 */
@ApplicationScoped
public class SettingsCheck {
    /** What S3's 2 KB of user metadata leaves the caller beside the function's own names. */
    static final int MAX_CALLER_METADATA = 1400;
    private final ImagefnConfig config;

    @Inject
    public SettingsCheck(ImagefnConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        check();
    }

    public void check() {
        geminiTimeoutMillis(config);
        if (config.limits().maxMetadataBytes() < 0 || config.limits().maxMetadataBytes() > MAX_CALLER_METADATA) {
            // S3 holds 2 KB of user metadata; the function's own names take up to about 600 bytes of it.
            throw new IllegalStateException("imagefn.limits.max-metadata-bytes must be between 0 and "
                    + MAX_CALLER_METADATA + ", not " + config.limits().maxMetadataBytes());
        }
        maxImagesPerAnswer(config.limits().maxImagesPerAnswer());
    }

    /** {@code imagefn.gemini.timeout} in milliseconds, refused when not positive. */
    public static long geminiTimeoutMillis(ImagefnConfig config) {
        long millis = config.gemini().timeout().toMillis();
        if (millis <= 0) {
            // 0 would mean no limit at all: a peer that stalls a body would hold its connection for ever.
            throw new IllegalStateException("imagefn.gemini.timeout must be positive, not " + config.gemini().timeout());
        }
        return millis;
    }

    /** {@code imagefn.limits.max-images-per-answer}, refused below 1. */
    public static int maxImagesPerAnswer(int maxImages) {
        if (maxImages < 1) {
            // 0 would refuse every answer after paying for it.
            throw new IllegalStateException("imagefn.limits.max-images-per-answer must be at least 1, not " + maxImages);
        }
        return maxImages;
    }
}
