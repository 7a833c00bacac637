package dev.imagefn.gemini;

import dev.imagefn.config.ImagefnConfig;
import java.time.Duration;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * When and how long to wait before another attempt (docs/design.md, Gemini client): the official SDKs' codes
 * and exponential backoff with jitter, but a server-given delay ({@code RetryInfo}, {@code Retry-After})
 * wins, as the SDKs do not do.
 */
final class RetryPolicy {
    static final Set<Integer> RETRYABLE_STATUS = Set.of(408, 429, 500, 502, 503, 504);

    private final int maxAttempts;
    private final Duration initial;
    private final Duration max;
    private final double multiplier;
    private final double jitter;
    private final DoubleSupplier random;

    RetryPolicy(ImagefnConfig.Retry config, DoubleSupplier random) {
        this.maxAttempts = Math.max(1, config.maxAttempts());
        this.initial = config.initialDelay();
        this.max = config.maxDelay();
        this.multiplier = config.multiplier();
        this.jitter = Math.clamp(config.jitter(), 0.0, 1.0);
        this.random = random;
    }

    int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Delay after failed attempt {@code attempt} (1-based). {@code serverDelay} may be null; a negative or
     * absurdly long one is ignored like a missing one.
     */
    Duration delay(int attempt, Duration serverDelay) {
        if (serverDelay != null && !serverDelay.isNegative()
                && serverDelay.compareTo(GeminiError.MAX_SERVER_DELAY) <= 0) {
            return serverDelay;
        }
        double base = initial.toMillis() * Math.pow(multiplier, attempt - 1);
        double capped = Math.min(base, max.toMillis());
        double factor = 1 + jitter * (2 * random.getAsDouble() - 1);
        return Duration.ofMillis(Math.round(Math.min(capped * factor, max.toMillis())));
    }
}
