package dev.imagefn.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.core.GeneratedImage;
import dev.imagefn.core.ImageBytes;
import dev.imagefn.core.ImageFormat;
import dev.imagefn.testing.CuttingProxyResource;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.WhenRequiredChecksumsProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code imagefn.storage.checksums=when-required}, for stores that reject checksum headers and trailers (R2, GCS
 * interop, older MinIO): the upload carries no checksum at all, neither imagefn's SHA-256 nor the SDK's CRC32.
 */
@QuarkusTest
@TestProfile(WhenRequiredChecksumsProfile.class)
class WhenRequiredChecksumsTest extends HttpTestBase {
    @Inject
    S3ImageStore store;

    @AfterEach
    void heal() {
        CuttingProxyResource.proxy().passThrough();
    }

    @Test
    void theUploadCarriesNoChecksumHeaderOrTrailer() {
        byte[] data = new byte[300 * 1024 + 3];
        Arrays.fill(data, (byte) 7);
        GeneratedImage img = new GeneratedImage(ImageFormat.PNG, ImageBytes.of(data), 8, 8);
        String key = "when-required/" + UUID.randomUUID() + ".png";
        store.put(key, img, Map.of("sha256", img.bytes().sha256Hex()), false);
        String head = CuttingProxyResource.proxy().lastPutHead();
        assertTrue(head.startsWith("PUT ") && head.contains(key), head);
        List<String> checksums = Arrays.stream(head.split("\r\n")).map(l -> l.toLowerCase(Locale.ROOT))
                .filter(l -> l.startsWith("x-amz-checksum-") || l.startsWith("x-amz-sdk-checksum-algorithm")
                        || l.startsWith("x-amz-trailer") || l.contains("aws-chunked"))
                .toList();
        assertEquals(List.of(), checksums, head);
        assertArrayEquals(data, object(key), "stored as sent");
    }
}
