package dev.imagefn.core;

import dev.imagefn.config.ImagefnConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Key layout: {@code {prefix}{yyyy}/{MM}/{dd}/{id}.{ext}} (UTC date), {@code id} a UUIDv7. A repeated request
 * finds its first image through its idempotency record, not through its key, so keys carry nothing of the
 * caller's. With several deliverable images the last (main) one takes the stem, the others {@code {stem}-{n}}.
 * The areas the function keeps for itself lie under the prefix too: {@link #FAILURES}, {@link #IDEMPOTENCY}
 * and {@link #BATCHES}.
 */
@ApplicationScoped
public class ObjectKeys {
    public static final String FAILURES = "failures/";
    public static final String IDEMPOTENCY = ".idempotency/";
    /** Batch mode's pending entries and running batches. */
    public static final String BATCHES = ".batches/";

    private final String prefix;
    private final Clock clock;

    @Inject
    public ObjectKeys(ImagefnConfig config) {
        this(config.storage().prefix(), Clock.systemUTC());
    }

    ObjectKeys(String prefix, Clock clock) {
        this.prefix = prefix;
        this.clock = clock;
    }

    /** Key stem (no extension) for a job without an explicit key, dated today. */
    public String stem() {
        LocalDate day = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        return prefix + String.format("%04d/%02d/%02d/", day.getYear(), day.getMonthValue(), day.getDayOfMonth())
                + uuidV7(clock.millis());
    }

    /** Key of image {@code index} of {@code count}; the last is the main image. */
    public static String keyFor(String stem, String explicitKey, int index, int count, ImageFormat format) {
        boolean main = index == count - 1;
        if (explicitKey != null) {
            if (main) {
                return explicitKey;
            }
            int slash = explicitKey.lastIndexOf('/');
            int dot = explicitKey.lastIndexOf('.');
            return dot > slash + 1
                    ? explicitKey.substring(0, dot) + "-" + (index + 1) + explicitKey.substring(dot)
                    : explicitKey + "-" + (index + 1);
        }
        return main ? stem + "." + format.extension() : stem + "-" + (index + 1) + "." + format.extension();
    }

    /**
     * RFC 9562 UUIDv7: 48-bit Unix milliseconds, then 74 random bits taken from a version-4 UUID. The JDK seeds
     * that generator at run time, also in a native image; a {@code SecureRandom} of our own in a static field
     * would be created at build time and refused by native-image.
     */
    static UUID uuidV7(long epochMillis) {
        UUID random = UUID.randomUUID();
        long msb = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (random.getMostSignificantBits() & 0x0FFFL);
        return new UUID(msb, random.getLeastSignificantBits());
    }
}
