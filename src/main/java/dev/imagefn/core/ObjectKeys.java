package dev.imagefn.core;

import dev.imagefn.config.ImagefnConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Key layout (DESIGN §8): {@code {prefix}{yyyy}/{MM}/{dd}/{id}.{ext}} (UTC date). {@code id} is a UUIDv7, or
 * for an idempotent job a UUID derived from the idempotency key (version 8, name-based on SHA-256), so the
 * caller's key is not exposed. An idempotent job is looked up under today's and yesterday's date, so a retry
 * that crosses midnight still finds the first image. With several deliverable images the last (main) one
 * takes the stem, the others {@code {stem}-{n}}.
 */
@ApplicationScoped
public class ObjectKeys {
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
    public String stem(ImageJob job) {
        return stem(job, LocalDate.now(clock.withZone(ZoneOffset.UTC)));
    }

    /** Stems an earlier attempt of an idempotent job may have used: today's, then yesterday's. */
    public java.util.List<String> lookupStems(ImageJob job) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        return java.util.List.of(stem(job, today), stem(job, today.minusDays(1)));
    }

    private String stem(ImageJob job, LocalDate day) {
        String id = job.idempotent() ? idFromIdempotencyKey(job.idempotencyKey()).toString()
                : uuidV7(clock.millis()).toString();
        return prefix + String.format("%04d/%02d/%02d/", day.getYear(), day.getMonthValue(), day.getDayOfMonth()) + id;
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

    /** A stable, opaque UUID (RFC 9562 version 8) from the idempotency key, which never appears in the key. */
    static UUID idFromIdempotencyKey(String idempotencyKey) {
        byte[] h = Hashes.sha256().digest(("imagefn/idempotency/" + idempotencyKey)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long msb = java.nio.ByteBuffer.wrap(h, 0, 8).getLong();
        long lsb = java.nio.ByteBuffer.wrap(h, 8, 8).getLong();
        msb = (msb & ~0xF000L) | 0x8000L;
        lsb = (lsb & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
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
