package dev.imagefn.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ObjectKeysTest {
    private static final Instant NOW = Instant.parse("2026-11-23T23:59:59.123Z");

    @Test
    void uuidV7CarriesTheTimeAndVersion() {
        UUID id = ObjectKeys.uuidV7(NOW.toEpochMilli());
        assertEquals(7, id.version());
        assertEquals(2, id.variant());
        assertEquals(NOW.toEpochMilli(), id.getMostSignificantBits() >>> 16);
        assertNotEquals(id, ObjectKeys.uuidV7(NOW.toEpochMilli()));
    }

    @Test
    void layoutUsesTheUtcDate() {
        ObjectKeys keys = new ObjectKeys("generated/", Clock.fixed(NOW, ZoneOffset.ofHours(5)));
        String stem = keys.stem();
        assertTrue(stem.matches("generated/2026/11/23/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
                stem);
        assertNotEquals(stem, keys.stem());
    }

    @Test
    void severalImagesGetNumberedKeysTheLastTakesTheStem() {
        assertEquals("s-1.png", ObjectKeys.keyFor("s", null, 0, 2, ImageFormat.PNG));
        assertEquals("s.jpg", ObjectKeys.keyFor("s", null, 1, 2, ImageFormat.JPEG));
        assertEquals("p/a/hero-1.png", ObjectKeys.keyFor("x", "p/a/hero.png", 0, 2, ImageFormat.PNG));
        assertEquals("p/a/hero.png", ObjectKeys.keyFor("x", "p/a/hero.png", 1, 2, ImageFormat.JPEG));
        assertEquals("p/v1.0/hero-1", ObjectKeys.keyFor("x", "p/v1.0/hero", 0, 2, ImageFormat.PNG));
    }

}
