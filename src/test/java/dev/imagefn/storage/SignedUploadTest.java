package dev.imagefn.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.GeneratedImage;
import dev.imagefn.core.ImageBytes;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageFormat;
import dev.imagefn.testing.CutStorageProfile;
import dev.imagefn.testing.CuttingProxyResource;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.TestConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * An image PUT to a plain-HTTP endpoint as it goes over the wire (the proxy records it): one signed body whose
 * {@code x-amz-content-sha256} is the image's SHA-256, not {@code aws-chunked} chunk signatures, and a body that
 * does not match what was signed is refused without leaving an object.
 */
@QuarkusTest
@TestProfile(CutStorageProfile.class)
class SignedUploadTest extends HttpTestBase {
    @Inject
    S3ImageStore store;
    @Inject
    S3Client client;
    @Inject
    S3Presigner presigner;

    @AfterEach
    void heal() {
        CuttingProxyResource.proxy().passThrough();
    }

    /** Several of the signer's 128 KB chunks, and not a whole number of them. */
    private static GeneratedImage image(int seed) {
        return image(seed, 600 * 1024 + 7);
    }

    private static GeneratedImage image(int seed, int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + seed);
        }
        return new GeneratedImage(ImageFormat.PNG, ImageBytes.of(data), 8, 8);
    }

    private static Optional<String> header(String head, String name) {
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        return Arrays.stream(head.split("\r\n")).filter(l -> l.toLowerCase(Locale.ROOT).startsWith(prefix))
                .map(l -> l.substring(prefix.length()).strip()).findFirst();
    }

    private static void assertSignedWhole(String head, GeneratedImage img) {
        assertEquals(Optional.of(img.bytes().sha256Hex()), header(head, "x-amz-content-sha256"), head);
        assertFalse(header(head, "content-encoding").orElse("").contains("aws-chunked"), head);
        assertEquals(Optional.empty(), header(head, "x-amz-decoded-content-length"), head);
        assertEquals(Optional.of(Long.toString(img.bytes().length())), header(head, "content-length"), head);
        String authorization = header(head, "authorization").orElseThrow();
        assertTrue(authorization.contains("x-amz-content-sha256"), authorization);
    }

    private static void assertRefused(ImageFnException e, String s3Code) {
        assertEquals(ErrorCode.STORAGE_UNAVAILABLE, e.code(), e.detail());
        assertTrue(e.getCause() instanceof S3Exception s3e && s3e.statusCode() == 400
                && s3Code.equals(s3e.awsErrorDetails().errorCode()), "S3 refused it as " + s3Code + ": " + e.detail());
    }

    @Test
    void theImageGoesAsOneBodySignedWithItsOwnHash() {
        String key = "signed-test/" + UUID.randomUUID() + ".png";
        GeneratedImage img = image(1);
        store.put(key, img, Map.of("sha256", img.bytes().sha256Hex()), true);
        String head = CuttingProxyResource.proxy().lastPutHead();
        assertTrue(head.startsWith("PUT ") && head.contains(key), head);
        assertSignedWhole(head, img);
        String signedHeaders = header(head, "authorization").orElseThrow();
        assertTrue(signedHeaders.contains("x-amz-checksum-sha256"), "the decode-time checksum is signed too: "
                + signedHeaders);
        assertArrayEquals(img.bytes().toArray(), object(key));
    }

    /**
     * A body under 2 MiB goes without {@code Expect: 100-continue} (the SDK asks it on every PUT, a round trip
     * before the body); from 2 MiB on the PUT still asks it. Both are stored whole.
     */
    @Test
    void onlyBodiesFromTwoMebibytesWaitForContinue() {
        for (int length : new int[] {600 * 1024 + 7, (int) ExpectContinueThreshold.THRESHOLD - 1,
                (int) ExpectContinueThreshold.THRESHOLD}) {
            String key = "signed-test/" + UUID.randomUUID() + ".png";
            GeneratedImage img = image(6, length);
            store.put(key, img, Map.of("sha256", img.bytes().sha256Hex()), true);
            String head = CuttingProxyResource.proxy().lastPutHead();
            Optional<String> expected = length < ExpectContinueThreshold.THRESHOLD ? Optional.empty()
                    : Optional.of("100-continue");
            assertEquals(expected, header(head, "expect"), length + " bytes: " + head);
            assertSignedWhole(head, img);
            assertArrayEquals(img.bytes().toArray(), object(key));
        }
    }

    @Test
    void whenRequiredSendsNoChecksumHeaderAndStillSignsTheBody() {
        S3ImageStore whenRequired = new S3ImageStore(client, presigner,
                TestConfig.of(Map.of("storage.checksums", "when-required")));
        String key = "signed-test/" + UUID.randomUUID() + ".png";
        GeneratedImage img = image(2);
        whenRequired.put(key, img, Map.of("sha256", img.bytes().sha256Hex()), false);
        String head = CuttingProxyResource.proxy().lastPutHead();
        assertEquals(Optional.empty(), header(head, "x-amz-checksum-sha256"), head);
        assertSignedWhole(head, img);
        assertArrayEquals(img.bytes().toArray(), object(key));
    }

    @Test
    void aByteDamagedOnTheWayIsRefusedAndLeavesNothing() {
        String key = "signed-test/" + UUID.randomUUID() + ".png";
        GeneratedImage img = image(3);
        CuttingProxyResource.proxy().flipPutByteAt(300 * 1024);
        ImageFnException e = assertThrows(ImageFnException.class,
                () -> store.put(key, img, Map.of("sha256", img.bytes().sha256Hex()), false));
        CuttingProxyResource.proxy().passThrough();
        assertRefused(e, "XAmzContentSHA256Mismatch");
        assertTrue(store.head(key).isEmpty(), "nothing stored");
    }

    @Test
    void aChecksumThatIsNotTheBodysIsRefusedAndLeavesNothing() {
        String key = "signed-test/" + UUID.randomUUID() + ".png";
        GeneratedImage img = image(4);
        ImageFnException e = assertThrows(ImageFnException.class,
                () -> store.put(key, img, Map.of("sha256", image(5).bytes().sha256Hex()), false));
        assertRefused(e, "BadDigest");
        assertTrue(store.head(key).isEmpty(), "nothing stored");
    }
}
