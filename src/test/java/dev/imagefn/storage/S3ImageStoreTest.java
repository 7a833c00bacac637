package dev.imagefn.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.GeneratedImage;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageBytes;
import dev.imagefn.core.ImageFormat;
import dev.imagefn.core.ImageStore;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The S3 store against S3Proxy: conditional writes and the spurious-412-after-retry case. */
@QuarkusTest
class S3ImageStoreTest extends HttpTestBase {
    @Inject
    S3ImageStore store;

    private static GeneratedImage image(int colour) {
        return new GeneratedImage(ImageFormat.PNG, ImageBytes.of(TestImages.png(8, 8, colour, 0)), 8, 8);
    }

    @Test
    void aConditionalWriteOfTheSameBytesIsOursAndSucceeds() {
        String key = "store-test/" + UUID.randomUUID() + ".png";
        GeneratedImage img = image(1);
        Map<String, String> md = Map.of("sha256", img.bytes().sha256Hex());
        store.put(key, img, md, true);
        ImageStore.StoredObject again = store.put(key, img, md, true);
        assertEquals(key, again.key());
        assertArrayEquals(img.bytes().toArray(), object(key));
    }

    @Test
    void aConditionalWriteOverAnotherObjectReportsTheExistingOne() {
        String key = "store-test/" + UUID.randomUUID() + ".png";
        GeneratedImage first = image(2);
        store.put(key, first, Map.of("sha256", first.bytes().sha256Hex()), true);
        GeneratedImage second = image(3);
        ImageStore.AlreadyExists e = assertThrows(ImageStore.AlreadyExists.class,
                () -> store.put(key, second, Map.of("sha256", second.bytes().sha256Hex()), true));
        assertEquals(first.bytes().sha256Hex(), e.existing().metadata().get("sha256"));
        assertArrayEquals(first.bytes().toArray(), object(key), "the first object is untouched");
    }

    /**
     * An object read by the ETag it was looked up with (a storage event's job): once replaced, the old version's
     * read is refused instead of reading the new bytes under the old identity; the new ETag reads them.
     */
    @Test
    void aReadByETagRefusesAVersionReplacedMeanwhile() {
        String key = "store-test/" + UUID.randomUUID() + ".png";
        GeneratedImage first = image(4);
        store.put(key, first, Map.of("sha256", first.bytes().sha256Hex()), false);
        String etag = store.headObject(store.bucket(), key).orElseThrow().etag();
        assertArrayEquals(first.bytes().toArray(), store.readObject(store.bucket(), key, 1 << 20, etag).data());
        GeneratedImage second = image(5);
        store.put(key, second, Map.of("sha256", second.bytes().sha256Hex()), false);
        ImageFnException e = assertThrows(ImageFnException.class,
                () -> store.readObject(store.bucket(), key, 1 << 20, etag));
        assertEquals(ErrorCode.REFERENCE_NOT_FOUND, e.code(), e.detail());
        assertTrue(e.detail().contains("replaced"), e.detail());
        String now = store.headObject(store.bucket(), key).orElseThrow().etag();
        assertArrayEquals(second.bytes().toArray(), store.readObject(store.bucket(), key, 1 << 20, now).data());
    }

    /**
     * A PUT bounded by a time already past is given up (retries included). It may still have landed (the pipeline
     * removes such an attempt by its sha256); the same PUT in time then succeeds either way.
     */
    @Test
    void aPutPastItsBoundIsGivenUp() {
        String key = "store-test/" + UUID.randomUUID() + ".png";
        GeneratedImage img = new GeneratedImage(ImageFormat.PNG, ImageBytes.of(TestImages.png(8, 8, 6, 4_000_000)),
                8, 8);
        Map<String, String> md = Map.of("sha256", img.bytes().sha256Hex());
        ImageFnException e = assertThrows(ImageFnException.class,
                () -> store.put(key, img, md, true, new Deadline(System.currentTimeMillis() - 1)));
        assertEquals(ErrorCode.STORAGE_UNAVAILABLE, e.code(), e.detail());
        store.put(key, img, md, true, Deadline.after(java.time.Duration.ofMinutes(1)));
        assertArrayEquals(img.bytes().toArray(), object(key));
    }

    @Test
    void documentsAreWrittenOnlyUnderTheirConditions() {
        String key = "store-test/" + UUID.randomUUID() + ".json";
        assertTrue(store.getDocument(key).isEmpty());
        assertTrue(store.createDocument(key, "{\"v\":1}".getBytes()));
        assertFalse(store.createDocument(key, "{\"v\":2}".getBytes()), "If-None-Match: * refuses an existing one");
        var first = store.getDocument(key).orElseThrow();
        assertEquals("{\"v\":1}", new String(first.body()));
        assertFalse(store.replaceDocument(key, "{\"v\":3}".getBytes(), "\"not-its-etag\""));
        assertTrue(store.replaceDocument(key, "{\"v\":4}".getBytes(), first.etag()));
        var second = store.getDocument(key).orElseThrow();
        assertEquals("{\"v\":4}", new String(second.body()));
        assertFalse(store.replaceDocument(key, "{\"v\":5}".getBytes(), first.etag()), "a stale ETag is refused");
        store.deleteDocument(key, first.etag());
        assertTrue(store.getDocument(key).isPresent(), "a delete with a stale ETag leaves the document");
        store.deleteDocument(key, second.etag());
        assertTrue(store.getDocument(key).isEmpty());
    }
}
