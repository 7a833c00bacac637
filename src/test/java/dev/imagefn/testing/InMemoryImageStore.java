package dev.imagefn.testing;

import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.GeneratedImage;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageStore;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** An {@link ImageStore} in memory for the fast unit tier: one bucket of images, other buckets, documents. */
public final class InMemoryImageStore implements ImageStore, dev.imagefn.core.batch.BatchDocuments {
    private final String bucket;
    private final InMemoryRecordStore documents = new InMemoryRecordStore();
    private final Map<String, Map<String, Stored>> buckets = new ConcurrentHashMap<>();
    /** While set, every call fails as a store that is down. */
    public final AtomicBoolean down = new AtomicBoolean();
    /** Document keys whose creation fails as on a store that is down; other keys are stored as usual. */
    public volatile java.util.function.Predicate<String> refusesDocument = key -> false;
    /** Document keys whose deletion fails as on a store that is down. */
    public volatile java.util.function.Predicate<String> refusesDelete = key -> false;
    /** The bound the last image PUT was given. */
    public volatile Deadline lastPutBy;
    /** While set, presigning fails (as it would with credentials that cannot be resolved). */
    public volatile boolean presignFails;
    /** Runs at every image stored, with its key. */
    public volatile java.util.function.Consumer<String> onPut = key -> { };

    private record Stored(byte[] data, String contentType, Map<String, String> metadata, String etag) {
    }

    public InMemoryImageStore(String bucket) {
        this.bucket = bucket;
    }

    public InMemoryRecordStore records() {
        return documents;
    }

    public Map<String, byte[]> objects() {
        Map<String, byte[]> out = new ConcurrentHashMap<>();
        buckets.getOrDefault(bucket, Map.of()).forEach((k, v) -> out.put(k, v.data()));
        return out;
    }

    public void putObject(String inBucket, String key, byte[] data, String contentType, Map<String, String> metadata) {
        buckets.computeIfAbsent(inBucket, b -> new ConcurrentHashMap<>())
                .put(key, new Stored(data.clone(), contentType, Map.copyOf(metadata), "\"" + data.length + "-"
                        + java.util.Arrays.hashCode(data) + "\""));
    }

    private void check() {
        if (down.get()) {
            throw new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE, "object storage failed (test: down)");
        }
    }

    @Override
    public String bucket() {
        return bucket;
    }

    @Override
    public Optional<StoredObject> head(String key) {
        check();
        Stored s = buckets.getOrDefault(bucket, Map.of()).get(key);
        return s == null ? Optional.empty()
                : Optional.of(new StoredObject(key, s.contentType(), s.data().length, s.metadata()));
    }

    @Override
    public Optional<ObjectInfo> headObject(String inBucket, String key) {
        check();
        Stored s = buckets.getOrDefault(inBucket, Map.of()).get(key);
        return s == null ? Optional.empty()
                : Optional.of(new ObjectInfo(inBucket, key, s.etag(), s.data().length, s.contentType(), s.metadata()));
    }

    @Override
    public StoredObject put(String key, GeneratedImage image, Map<String, String> metadata, boolean ifAbsent,
            Deadline by) {
        check();
        lastPutBy = by;
        onPut.accept(key);
        Map<String, Stored> b = buckets.computeIfAbsent(bucket, x -> new ConcurrentHashMap<>());
        Stored s = new Stored(image.bytes().toArray(), image.mimeType(), Map.copyOf(metadata), "\"" + key + "\"");
        if (ifAbsent) {
            Stored existing = b.putIfAbsent(key, s);
            if (existing != null) {
                throw new AlreadyExists(new StoredObject(key, existing.contentType(), existing.data().length,
                        existing.metadata()));
            }
        } else {
            b.put(key, s);
        }
        return new StoredObject(key, image.mimeType(), image.bytes().length(), metadata);
    }

    @Override
    public void delete(String key) {
        check();
        buckets.getOrDefault(bucket, new ConcurrentHashMap<>()).remove(key);
    }

    @Override
    public StoredBytes readObject(String inBucket, String key, long maxBytes, String etag) {
        check();
        Stored s = buckets.getOrDefault(inBucket, Map.of()).get(key);
        if (s == null) {
            throw new ImageFnException(ErrorCode.REFERENCE_NOT_FOUND, "s3://" + inBucket + "/" + key + " does not exist");
        }
        if (etag != null && !etag.equals(s.etag())) {
            throw new ImageFnException(ErrorCode.REFERENCE_NOT_FOUND, "s3://" + inBucket + "/" + key + " was replaced");
        }
        if (s.data().length > maxBytes) {
            throw new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, "too large");
        }
        return new StoredBytes(s.data().clone(), s.contentType(), s.metadata());
    }

    @Override
    public void putDocument(String key, byte[] body, String contentType) {
        check();
        putObject(bucket, key, body, contentType, Map.of());
    }

    @Override
    public URI presign(String key, Duration ttl) {
        if (presignFails) {
            throw new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE, "presigning failed (test)");
        }
        return URI.create("https://store.invalid/" + bucket + "/" + key + "?ttl=" + ttl.toSeconds());
    }

    @Override
    public byte[] readPrefix(String inBucket, String key, int bytes) {
        byte[] data = readObject(inBucket, key, Long.MAX_VALUE).data();
        return java.util.Arrays.copyOf(data, Math.min(bytes, data.length));
    }

    /** Looks like a presigned URL, signature included, so tests can check it is never logged or echoed. */
    @Override
    public URI presignRead(String inBucket, String key, String contentType, Duration ttl) {
        return URI.create("https://store.invalid/" + inBucket + "/" + key + "?response-content-type=" + contentType
                + "&X-Amz-Expires=" + ttl.toSeconds() + "&X-Amz-Signature=in-memory-signature");
    }

    @Override
    public Optional<Document> getDocument(String key) {
        check();
        return documents.getDocument(key);
    }

    @Override
    public boolean createDocument(String key, byte[] body) {
        check();
        if (refusesDocument.test(key)) {
            throw new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE, "object storage failed (test: " + key + ")");
        }
        return documents.createDocument(key, body);
    }

    @Override
    public boolean replaceDocument(String key, byte[] body, String etag) {
        check();
        return documents.replaceDocument(key, body, etag);
    }

    @Override
    public void deleteDocument(String key, String etag) {
        check();
        if (refusesDelete.test(key)) {
            throw new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE, "object storage failed (test: " + key + ")");
        }
        documents.deleteDocument(key, etag);
    }

    @Override
    public java.util.List<String> listKeys(String prefix, int max) {
        check();
        java.util.TreeSet<String> keys = new java.util.TreeSet<>();
        documents.documents().keySet().stream().filter(k -> k.startsWith(prefix)).forEach(keys::add);
        objects().keySet().stream().filter(k -> k.startsWith(prefix)).forEach(keys::add);
        return keys.stream().limit(max).toList();
    }
}
