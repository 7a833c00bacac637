package dev.imagefn.core;

import dev.imagefn.config.ImagefnConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Key layout (DESIGN §8). A new image: {@code {prefix}{yyyy}/{MM}/{dd}/{uuidv7}.{ext}}. An idempotent one:
 * {@code {prefix}idempotent/{id}.{ext}} where {@code id} is derived from the idempotency key, so the key
 * does not change when a retry crosses midnight. With several deliverable images the last (main) one
 * takes the stem, the others {@code {stem}-{n}}.
 */
@ApplicationScoped
public class ObjectKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

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

    public String prefix() {
        return prefix;
    }

    /** Key stem (no extension) for a job without an explicit key. */
    public String stem(ImageJob job) {
        if (job.idempotent()) {
            return prefix + "idempotent/" + idFromIdempotencyKey(job.idempotencyKey());
        }
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

    /** A stable, opaque ID: the idempotency key itself never appears in the key. */
    static String idFromIdempotencyKey(String idempotencyKey) {
        return Hashes.sha256Hex("imagefn/idempotency/" + idempotencyKey).substring(0, 40);
    }

    /** RFC 9562 UUIDv7: 48-bit Unix milliseconds, then random bits. */
    static UUID uuidV7(long epochMillis) {
        byte[] r = new byte[10];
        RANDOM.nextBytes(r);
        long msb = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | ((r[0] & 0x0fL) << 8) | (r[1] & 0xffL);
        long lsb = 0x8000_0000_0000_0000L | (HexFormat.fromHexDigitsToLong(HexFormat.of().formatHex(r, 2, 10))
                & 0x3FFF_FFFF_FFFF_FFFFL);
        return new UUID(msb, lsb);
    }
}
