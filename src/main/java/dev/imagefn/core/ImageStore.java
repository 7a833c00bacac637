package dev.imagefn.core;

import dev.imagefn.core.idempotency.RecordStore;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The object store the images go to (one bucket), where reference images come from, and where idempotency records
 * are kept.
 */
public interface ImageStore extends RecordStore {

    String bucket();

    Optional<StoredObject> head(String key);

    /**
     * What the store says of an object in any bucket the function may read: a storage event's claims are checked
     * against it. Missing: empty. Not allowed: REFERENCE_FORBIDDEN.
     */
    Optional<ObjectInfo> headObject(String bucket, String key);

    record ObjectInfo(String bucket, String key, String etag, long size, String contentType,
            Map<String, String> metadata) {
        public ObjectInfo {
            metadata = Map.copyOf(metadata);
        }
    }

    /**
     * Stores the bytes. With {@code ifAbsent}, an existing object is left alone and
     * {@link AlreadyExists} is thrown carrying it (after telling a spurious 412 from a real one).
     */
    default StoredObject put(String key, GeneratedImage image, Map<String, String> metadata, boolean ifAbsent) {
        return put(key, image, metadata, ifAbsent, null);
    }

    /** As {@link #put(String, GeneratedImage, Map, boolean)}, given up (STORAGE_UNAVAILABLE) at {@code by}. */
    StoredObject put(String key, GeneratedImage image, Map<String, String> metadata, boolean ifAbsent, Deadline by);

    void delete(String key);

    /** Reads a reference image; {@code maxBytes} bounds what is read. */
    default ReferenceImage.Inline read(String bucket, String key, long maxBytes) {
        StoredBytes o = readObject(bucket, key, maxBytes);
        return new ReferenceImage.Inline(o.contentType(), o.data());
    }

    /**
     * Reads any object of any bucket the function may read, at most {@code maxBytes}. A missing object is
     * REFERENCE_NOT_FOUND, a forbidden one REFERENCE_FORBIDDEN, a larger one PAYLOAD_TOO_LARGE.
     */
    default StoredBytes readObject(String bucket, String key, long maxBytes) {
        return readObject(bucket, key, maxBytes, null);
    }

    /**
     * As {@link #readObject(String, String, long)}, and with {@code etag} only that version of the object: one
     * replaced since it was looked up is REFERENCE_NOT_FOUND (the new version has an event of its own).
     */
    StoredBytes readObject(String bucket, String key, long maxBytes, String etag);

    /** Writes a small document (failure records) unconditionally. */
    void putDocument(String key, byte[] body, String contentType);

    URI presign(String key, Duration ttl);

    /**
     * The first {@code bytes} bytes (fewer when the object is shorter) of an object of any bucket the function may
     * read. Missing, forbidden: as {@link #readObject}.
     */
    byte[] readPrefix(String bucket, String key, int bytes);

    /**
     * A presigned GET of an object of any bucket the function may read, answered with {@code contentType}: for a
     * reader that fetches it itself (Gemini).
     */
    URI presignRead(String bucket, String key, String contentType, Duration ttl);


    record StoredBytes(byte[] data, String contentType, Map<String, String> metadata) {
        public StoredBytes {
            metadata = Map.copyOf(metadata);
        }
    }

    record StoredObject(String key, String mimeType, long bytes, Map<String, String> metadata) {
        public StoredObject {
            metadata = Map.copyOf(metadata);
        }
    }

    final class AlreadyExists extends RuntimeException {
        private final StoredObject existing;

        public AlreadyExists(StoredObject existing) {
            super("object exists: " + existing.key(), null, false, false);
            this.existing = existing;
        }

        public StoredObject existing() {
            return existing;
        }
    }
}
